@{
    Synopsis    = 'Reports backup health per database and tier: OK, Warning or Alert with a reason.'
    Description = @'
For every database (and tier) in the repository, or the databases named: the last backup, its age, size and the number of backups. Status is:
- Alert when there is no complete backup, or the last one is older than -MaxAge.
- Warning when the last backup is less than half the median size of the previous ones (a truncated dump or lost data shows this way, whatever the database's size), or when backups started after the last complete one never finished.
- OK otherwise.
Safety backups taken by restores are not judged.
'@
    Parameters  = @{
        Repository = 'The repository directory.'
        Database   = 'Databases that must have backups; one with none is an Alert. Every database in the repository when omitted.'
        MaxAge     = 'How old the last backup may be: 26h, 90m, 8d, or a TimeSpan. By default each tier''s own: Daily 26h, Weekly 7 days + 2h.'
    }
    Examples    = @(
        @{
            Title   = 'Alert from a scheduled job'
            Code    = '$bad = Get-ShippyarBackupStatus -Repository /var/backups/pg -Database shippyar_prod, billing -MaxAge 26h | Where-Object Status -ne OK
if ($bad) { $bad | Format-Table; exit 1 }'
            Remarks = ''
        }
    )
    Notes       = ''
    RelatedLinks = @('Get-ShippyarBackup', 'Invoke-ShippyarBackup')
}
