@{
    Synopsis    = 'Reports backup health per database and tier: OK, Warning or Alert with a reason.'
    Description = @'
For every database (and tier) in the repository, or the databases named: the last backup, its age, size and the number of backups. Status is:
- Alert when there is no complete backup, the last one is older than -MaxAge, or a manifest in the repository cannot be used (corrupt, or not matching its folder): a backup that cannot be restored.
- Warning when the last backup is less than half the median size of the previous ones (a truncated dump or lost data shows this way, whatever the database's size), when backups started after the last complete one never finished, or (with a server given) when killed restores or verifications of the database left staging, scratch or replaced databases on it.
- OK otherwise.
Safety backups taken by restores are not judged, and an interrupted one does not count against the Daily tier. The server is asked only when a connection parameter is given.
'@
    Parameters  = @{
        Repository = 'The repository: a registered name, a directory or s3://bucket/prefix.'
        Database   = 'Databases that must have backups; one with none is an Alert. Every database in the repository when omitted.'
        MaxAge     = 'How old the last backup may be: 26h, 90m, 8d, or a TimeSpan. By default each tier''s own: Daily 26h, Weekly 7 days + 2h, Base 26h (a nightly base backup plus two hours: each day older is a day more WAL to replay in a point-in-time recovery).'
        Server           = 'A server to look for leftovers of killed restores and verifications on (host or host:port); not asked when no connection parameter is given.'
        Port             = 'Port of that server.'
        Credential       = 'User name and password for that server.'
        ConnectionString = 'A connection string for that server.'
    }
    Examples    = @(
        @{
            Title   = 'Alert from a scheduled job'
            Code    = '$bad = Get-ShippyarBackupStatus -Repository /var/backups/pg -Database shippyar_prod, billing -MaxAge 26h | Where-Object Status -ne OK
if ($bad) { $bad | Format-Table; exit 1 }'
            Remarks = ''
        }
        @{
            Title   = 'Include the leftovers of killed restores on the production server'
            Code    = 'Get-ShippyarBackupStatus -Repository /var/backups/pg -Server db01 | Where-Object LeftoverCount -gt 0'
            Remarks = 'Get-ShippyarLeftover -Server db01 lists them; Remove-ShippyarLeftover removes those nobody uses.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Get-ShippyarBackup', 'Invoke-ShippyarBackup', 'Get-ShippyarLeftover')
}
