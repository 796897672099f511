@{
    Synopsis    = 'Lists the complete backups in a ShippyarDr repository.'
    Description = @'
Reads the manifests of a repository and returns ShippyarDr.BackupInfo objects, newest first. Only backups whose manifest was written (complete backups) are listed. Pipe the result into Test-ShippyarBackup or Restore-ShippyarDatabase.
'@
    Parameters  = @{
        Repository = 'The repository: a registered name (see Register-ShippyarRepository; a file or directory of that name in the current location wins, with a warning), a directory or s3://bucket/prefix. Each BackupInfo names its repository by location, and a registered location finds its registration, so Test-ShippyarBackup or Restore-ShippyarDatabase down the pipeline apply the same registered settings.'
        Database   = 'Only backups of these databases. Wildcards are allowed.'
        Id         = 'Only the backups with these ids. An id that is not found is reported as an error (BackupNotFound).'
        Tier       = 'Only backups of this tier (Daily, Weekly, Base or Safety).'
        Latest     = 'Only the newest backup of each database and tier.'
    }
    Examples    = @(
        @{
            Title   = 'A registered repository, verified with its registered keys'
            Code    = 'Get-ShippyarBackup -Repository prod -Latest | Test-ShippyarBackup -Level Checksum'
            Remarks = 'prod was registered with Register-ShippyarRepository: its S3 endpoint and credentials reference, its signer keys and its passphrase reference apply to both commands.'
        }
        @{
            Title   = 'The newest backup of every database, verified by a restore'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg -Latest | Test-ShippyarBackup -Level Restore'
            Remarks = 'Each backup is restored into a scratch database on the server it came from, checked and dropped.'
        }
        @{
            Title   = 'Backups of the billing databases in the last week'
            Code    = 'Get-ShippyarBackup /var/backups/pg -Database billing* | Where-Object EndTime -gt (Get-Date).AddDays(-7)'
            Remarks = ''
        }
        @{
            Title   = 'Give up quickly on an S3 store that does not answer'
            Code    = 'Get-ShippyarBackup s3://dr-backups/pg -S3Endpoint https://minio.example:9000 -S3Credential $s3 -S3Timeout 10s -Latest'
            Remarks = 'A store that accepts connections but never answers fails with RepositoryTimeout after at most 6 × 20 s + 31 s, instead of waiting on the default 60-second timeout.'
        }
    )
    Notes       = 'A directory with data but no manifest is an interrupted backup; Get-ShippyarBackupStatus reports those.'
    RelatedLinks = @('Invoke-ShippyarBackup', 'Test-ShippyarBackup', 'Restore-ShippyarDatabase')
}
