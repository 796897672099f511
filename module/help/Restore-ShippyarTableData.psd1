@{
    Synopsis    = 'Restores rows of some tables from a backup into a live database (partial data recovery).'
    Description = @'
For the day of orders deleted by mistake: the rows come back from a backup without restoring the whole database. PostgreSQL cannot read one database from another, so:
1. Only the tables named by -Table are restored into a scratch database on the target's server, shippyar_tabledata_<run token>_<id>: pg_restore with a TOC list (-L) of their entries, their data, the sequences they own or use, and the schemas, types, domains, functions and extensions they need. Other tables, indexes, constraints, triggers and grants are not restored. A base backup (tier Base) is restored into a scratch cluster on this host instead (started on a private socket, archive_mode off, as Test-ShippyarBackup -Level Restore does), optionally recovered through the WAL archive to -TargetTime, -TargetLsn, -TargetXid or -TargetName, and the rows are read from its database (-SourceDatabase, by default the one named like -TargetDatabase).
2. The rows -Where selects are copied into the target with binary COPY between two connections (no intermediate file; memory stays bounded), into a temporary table of the target first.
3. One INSERT per table applies -OnConflict on the target's primary key. Several tables are written parents first (by the target's foreign keys), all in one transaction: if anything fails, nothing is written.
4. The scratch database (or cluster) is dropped whatever happened, also on Ctrl+C. A killed run leaves it behind: Get-ShippyarLeftover lists it (Kind TableData), and the next run drops it.

-Where is SQL text: it runs only in the scratch copy, never in the target database, inside a read-only transaction. It must be one condition: a ';' or an unbalanced parenthesis is refused before anything runs. It can use only the columns of the tables restored (the scratch copy holds nothing else). With several tables, -Where selects the rows of the tables that reference none of the others; a table with a foreign key onto another of them takes the rows that reference the rows selected there (orders of a day, and the order_items of those orders).

Columns are matched by name, so the target's table may have its columns in another order. Generated columns are computed by the target; identity columns keep the backup's values (OVERRIDING SYSTEM VALUE). A column the backup has and the target lacks is left out with a warning; a column only the target has gets its default. Enums, domains and other user-defined types travel as text and are cast to the target's type.

-WhatIf restores into the scratch copy and reports what would happen against the target's current rows (rows selected, to insert, update and skip), without writing to the target (the comparison uses a temporary table in a transaction that is rolled back).

Returns one ShippyarDr.TableDataResult per table, in the order written: Table, RowsSelected, RowsInserted, RowsUpdated, RowsSkipped, RowsConflicting (rows whose key the target held already), Filter (how the rows were selected), WhatIf, BackupId, SourceDatabase, TargetDatabase, Server, Duration.

Errors: TableNotInBackup, TableNameAmbiguous, TargetTableNotFound, TargetTableHasNoPrimaryKey (DoNothing and Update need the target's primary key), KeyColumnNotInBackup, TableDataConflict (-OnConflict Error found an existing key: nothing written), InvalidRowFilter (the filter is refused, or the scratch server's error with its position in the filter), TableDataWriteFailed (the target refused the rows, e.g. a foreign key to a row it lacks: nothing written).
'@
    Parameters  = @{
        Table                = 'The tables to restore rows of: "orders", or "sales.orders" where several schemas have one. Several at once are written parents first, in one transaction.'
        Where                = 'A SQL condition selecting the rows, e.g. "created_at >= ''2024-01-15'' AND created_at < ''2024-01-16''". Your SQL runs in the scratch copy only, never in the target database, in a read-only transaction; one condition, no '';''. Without it every row of the tables is restored.'
        TargetDatabase       = 'The database the rows are written into. Defaults to the database the backup was taken of (for a cluster or base backup: -SourceDatabase).'
        SourceDatabase       = 'For a cluster (Weekly) or base backup: the database of the backup that holds the tables. Defaults to the one named like -TargetDatabase (or, in a Weekly backup, the only one that has the tables).'
        OnConflict           = 'What happens to a row whose primary key the target holds already. DoNothing (default) keeps the target''s row; Update overwrites it with the backup''s (equal rows count as skipped); Error fails the whole restore and writes nothing. DoNothing and Update need a primary key on the target''s table; Error also works without one (every row is inserted).'
        Force                = 'Write without asking for confirmation.'
        TargetTime           = 'For a base backup (tier Base): recover its scratch copy through the repository''s WAL archive to this time before the rows are read (a DateTime or DateTimeOffset; local times are converted to UTC), e.g. just before the DELETE. The archive must hold every segment from the backup to that time (WalSegmentMissing otherwise, before anything is restored). The scratch cluster fetches WAL with the module''s shippyar-dr, naming keys by reference: give -PassphraseFile or -PassphraseVariable (not -Passphrase), or use a registered repository.'
        TargetLsn            = 'For a base backup: recover its scratch copy through the WAL archive to this WAL position (e.g. 0/5000060) before the rows are read.'
        TargetXid            = 'For a base backup: recover its scratch copy through the WAL archive to the end of this transaction (by its id) before the rows are read.'
        TargetName           = 'For a base backup: recover its scratch copy through the WAL archive to this restore point (New-ShippyarRestorePoint, pg_create_restore_point) before the rows are read. One of -TargetTime, -TargetLsn, -TargetXid and -TargetName.'
        InputObject          = 'A ShippyarDr.BackupInfo, usually piped from Get-ShippyarBackup: Daily (pg_dump), Weekly (cluster) or Base (physical).'
        Repository           = 'The repository holding the backup (with -Id); a registered name works too.'
        Id                   = 'The backup id (with -Repository).'
        Passphrase           = 'Passphrase of an encrypted backup, as a SecureString.'
        PassphraseFile       = 'A file whose first line is the passphrase (mode 600).'
        PassphraseVariable   = 'Name of an environment variable holding the passphrase.'
        SecretKeyFile        = 'OpenPGP secret key file for backups encrypted to a public key (mode 600).'
        SecretKeyPassphrase  = 'Passphrase protecting the secret key, as a SecureString.'
        SignerKeyFile        = 'Public keys of the signers you trust; a signed backup must be signed by one of them.'
        AllowUnauthenticated = 'Accept a backup whose authenticity cannot be established (unsigned, or signed by a key not given).'
        Server               = 'Server of the target database (the scratch database is made there too), host or host:port. Defaults to the server a logical backup came from.'
        Port                 = 'Port of the target server.'
        Credential           = 'User name and password; the user must be allowed to create databases (the scratch copy) and to write the target''s tables.'
        ConnectionString     = 'A connection string for the target server.'
    }
    Examples    = @(
        @{
            Title   = 'Bring back a day of orders deleted by mistake, and their items'
            Code    = 'Get-ShippyarBackup /var/backups/pg -Database shippyar_prod -Latest | Restore-ShippyarTableData -Table orders, order_items -Where "created_at >= ''2024-01-15'' AND created_at < ''2024-01-16''" -TargetDatabase shippyar_prod'
            Remarks = 'The orders of that day and the order_items of those orders; rows that are still there are kept as they are (DoNothing).'
        }
        @{
            Title   = 'See first what would change'
            Code    = 'Restore-ShippyarTableData -Repository /var/backups/pg -Id 20240116-040512D-7f3a -Table orders -Where "id BETWEEN 1000 AND 1999" -OnConflict Update -WhatIf'
            Remarks = 'Restores into the scratch copy and reports the rows that would be inserted, updated and skipped; nothing is written to shippyar_prod.'
        }
        @{
            Title   = 'Rows written after the last base backup: recover its scratch copy to just before the DELETE'
            Code    = 'Get-ShippyarBackup -Repository prod -Tier Base -Latest | Restore-ShippyarTableData -TargetDatabase shippyar_prod -Table orders -Where "created_at >= ''2026-12-01''" -TargetTime ''2026-12-01 11:52:00Z'' -PassphraseFile /etc/shippyar/pass'
            Remarks = 'The base backup is restored into a scratch cluster on this host, the WAL archive replayed to 11:52, and the rows copied from there into shippyar_prod on the server given (or the local default).'
        }
        @{
            Title   = 'From a Weekly cluster backup, failing on any existing key'
            Code    = 'Get-ShippyarBackup /var/backups/pg -Tier Weekly -Latest | Restore-ShippyarTableData -SourceDatabase shippyar_prod -TargetDatabase shippyar_prod -Table orders -Where "status = ''cancelled''" -OnConflict Error -Passphrase $pass'
            Remarks = ''
        }
    )
    Notes       = 'The target is changed only by the one transaction at the end; the scratch copy is on the same server, so it needs room for the tables restored. Triggers of the target''s tables fire for the rows written. A session that cannot ask (pwsh -NonInteractive) gets a ConfirmationRequired error: add -Force there.'
    RelatedLinks = @('Get-ShippyarBackup', 'Restore-ShippyarDatabase', 'Test-ShippyarBackup', 'Get-ShippyarLeftover')
}
