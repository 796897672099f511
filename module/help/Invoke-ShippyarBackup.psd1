@{
    Synopsis    = 'Backs up PostgreSQL databases into a ShippyarDr repository.'
    Description = @'
Runs pg_dump in custom format and streams its output into the repository in one pass, computing the SHA-256 of what is stored and counting the rows of every table from the archive itself. The manifest (id, database, server, server version, system identifier, times, sizes, checksums, tier, tool versions) is written last, so an interrupted backup never looks complete; its partial files are removed.

pg_dump is found through SHIPPYAR_PG_BINDIR, PATH, pg_config or the usual PostgreSQL package directories, and must be at least the server's major version. The password reaches pg_dump only through its environment, never its command line.

Returns one ShippyarDr.BackupInfo per database.
'@
    Parameters  = @{
        Database         = 'Databases to back up. Accepts pipeline input, by value or by property name (Name).'
        Repository       = 'The repository: a directory that must exist (a missing one is usually an unmounted volume).'
        Tier             = 'Why the backup is taken: Daily (default) or Safety. Recorded in the manifest and used by Get-ShippyarBackupStatus.'
        Server           = 'PostgreSQL host, or host:port. Defaults to PGHOST, then localhost.'
        Port             = 'PostgreSQL port. Defaults to PGPORT, then 5432.'
        Credential       = 'User name and password. Without it, PGUSER/PGPASSWORD or ~/.pgpass apply, as with libpq tools.'
        ConnectionString = 'An Npgsql/libpq-style connection string (Host=...;Port=...;Username=...). Explicit parameters win over it.'
    }
    Examples    = @(
        @{
            Title   = 'Back up one database'
            Code    = 'Invoke-ShippyarBackup -Database shippyar_prod -Repository /var/backups/pg'
            Remarks = 'Uses PGHOST/PGUSER/PGPASSWORD or ~/.pgpass for the connection, as psql would.'
        }
        @{
            Title   = 'Back up several databases with a credential and keep going on failures'
            Code    = '$cred = Get-Credential backup_user
"shippyar_prod", "billing" | Invoke-ShippyarBackup -Server db01 -Credential $cred -Repository /var/backups/pg -ErrorVariable failed
if ($failed) { throw "Backups failed: $failed" }'
            Remarks = 'Each database is its own backup; one failure does not stop the others.'
        }
    )
    Notes       = 'Errors carry stable ErrorIds (DatabaseNotFound, AuthenticationFailed, ServerUnreachable, RepositoryNotFound, PgToolNotFound, PgDumpFailed).'
    RelatedLinks = @('Get-ShippyarBackup', 'Test-ShippyarBackup', 'Get-ShippyarBackupStatus')
}
