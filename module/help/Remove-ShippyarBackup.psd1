@{
    Synopsis    = 'Removes backups piped from Get-ShippyarBackup, unless they are what a recovery needs.'
    Description = @'
A backup goes manifest first, then its data and its verification records, under the repository's retention lock (a retention run at the same time makes it wait, then fail with RetentionInProgress).

It refuses, with BackupRemovalRefused, the last complete backup of its database and tier, the newest one that passed verification, and the base backup that recovery to the start of the WAL window starts from (the newest ending before now minus the registered WalDays, else 30), unless -Force is given; and a backup under S3 Object Lock always (BackupLocked). The WAL a removed base backup used stays: Invoke-ShippyarRetention removes what no retained base backup needs.

Asks before each removal (ConfirmImpact High); -Confirm:$false does not ask.
'@
    Parameters  = @{
        InputObject          = 'A ShippyarDr.BackupInfo, piped from Get-ShippyarBackup.'
        Force                = 'Remove it even if it is the last complete backup of its tier or the newest verified one. Never removes a locked backup.'
    }
    Examples    = @(
        @{
            Title   = 'Remove the Daily backups of a dropped database'
            Code    = 'Get-ShippyarBackup -Repository prod -Database old_app -Tier Daily | Remove-ShippyarBackup -Force -Confirm:$false'
            Remarks = '-Force because the last one would otherwise be refused.'
        }
        @{
            Title   = 'Remove one backup by id'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg -Id 20261125-040512D-7f3a09c1 | Remove-ShippyarBackup'
            Remarks = 'Asks first; refused if it is the newest verified or the last one of its tier.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Invoke-ShippyarRetention', 'Get-ShippyarBackup')
}
