@{
    Synopsis    = 'Lists the complete backups in a ShippyarDr repository.'
    Description = @'
Reads the manifests of a repository and returns ShippyarDr.BackupInfo objects, newest first. Only backups whose manifest was written (complete backups) are listed. Pipe the result into Test-ShippyarBackup or Restore-ShippyarDatabase.
'@
    Parameters  = @{
        Repository = 'The repository: a directory or s3://bucket/prefix.'
        Database   = 'Only backups of these databases. Wildcards are allowed.'
        Id         = 'Only the backups with these ids. An id that is not found is reported as an error (BackupNotFound).'
        Tier       = 'Only backups of this tier (Daily, Weekly, Base or Safety).'
        Latest     = 'Only the newest backup of each database and tier.'
    }
    Examples    = @(
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
