@{
    Synopsis    = 'Replicates complete backups to another repository, checking every checksum on the way.'
    Description = @'
Streams every stored object of a backup to the destination repository as it is (still compressed and encrypted: no key is needed), checks its SHA-256 against the manifest while it travels, and writes the manifest last, so the copy is complete in the destination only when all of it arrived intact. A backup already complete in the destination is left as it is. A damaged source object is not copied (BackupCorrupt). A backup taken with -ObjectLockDays whose lock has not ended is locked the same way (mode and end, ObjectLockMode and ObjectLockUntil) in an S3 destination, which must have Object Lock enabled (ObjectLockNotEnabled otherwise, before the copy is complete); a directory destination cannot lock it, and a warning says so.
'@
    Parameters  = @{
        InputObject = 'A ShippyarDr.BackupInfo, usually piped from Get-ShippyarBackup.'
        Repository  = 'The repository holding the backup (with -Id): a registered name, a directory or s3://bucket/prefix.'
        Id          = 'The backup id (with -Repository).'
        Destination = 'The repository to copy into: a registered name (its S3 settings apply), a directory or s3://bucket/prefix.'
        StorageClass = 'Storage class of the copies in an S3 destination; by default the class the backup''s tier asks for (STANDARD_IA for Daily, GLACIER for Weekly).'
    }
    Examples    = @(
        @{
            Title   = 'Send the newest backups to S3'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg -Latest | Copy-ShippyarBackup -Destination s3://shippyar-db-backups/daily -S3Region eu-central-1'
            Remarks = 'Returns the backups as the destination holds them; pipe them on to Test-ShippyarBackup -Level Checksum.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Get-ShippyarBackup', 'Invoke-ShippyarBackup', 'Test-ShippyarBackup')
}
