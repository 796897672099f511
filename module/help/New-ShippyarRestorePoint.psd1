@{
    Synopsis    = 'Writes a named restore point into the WAL, a target a point-in-time recovery can stop at.'
    Description = @'
Calls pg_create_restore_point on the server: a recovery with -TargetName stops right after it. Take one before a risky change (a migration, a bulk update), so "undo the migration" is a recovery to its name rather than a guess at a time.

Returns a ShippyarDr.RestorePoint with its LSN, the WAL segment that holds it (a recovery to the point needs that segment in the archive: with archive_timeout set, it is archived within that time) and whether the server archives WAL at all; a server that does not gets a warning.
The role needs superuser or EXECUTE on pg_create_restore_point; the server must not be in recovery, and wal_level must be replica or logical.
'@
    Parameters  = @{
        Name             = 'The restore point''s name, 1 to 63 bytes. Names need not be unique; a recovery stops at the first one with the name.'
        Server           = 'Server to write the restore point on, host or host:port.'
        Port             = 'Port of the server.'
        Credential       = 'User name and password.'
        ConnectionString = 'A connection string for the server.'
    }
    Examples    = @(
        @{
            Title   = 'Mark the WAL before a migration'
            Code    = 'New-ShippyarRestorePoint -Name before-release-42 -Server db01'
            Remarks = 'A recovery to that moment later: Restore-ShippyarCluster ... -TargetName before-release-42.'
        }
    )
    Notes       = ''
    RelatedLinks = @('Invoke-ShippyarBackup', 'Get-ShippyarBackupStatus')
}
