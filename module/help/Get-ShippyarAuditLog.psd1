@{
    Synopsis    = 'Reads the audit trail: one record per backup, verification, restore, copy, retention run and drill, newest first.'
    Description = @'
Every Invoke-ShippyarBackup (each database and tier), Test-ShippyarBackup, Restore-ShippyarDatabase, Restore-ShippyarCluster (cluster and point-in-time forms) and Copy-ShippyarBackup writes one ShippyarDr.Audit.AuditRecord with the columns of shippyar_catalog.backup_audit: Id, Operation, BackupId, BackupFile, Size (bytes stored or read), Duration, Status (Succeeded, Failed or Cancelled), Error (the failure's message, with secrets masked), PerformedBy ("os:<user>", and " pg:<login>" where the operation logged in to PostgreSQL), CreatedAt (when it started), Server, Database and Tier.

Operations: Backup, Verify (Checksum and Catalog levels), Drill (the Restore and Recovery levels: a restore into scratch), Restore, RestoreCluster, PointInTimeRestore, Copy, Retention and TableDataRestore. A verification whose checks fail and a restore whose row counts differ are Failed too. Refused requests (a bad argument) and -WhatIf write nothing. WAL pushes and fetches (shippyar-dr) are not audited: PostgreSQL runs one per segment.

Where records are: a repository registered with an audit catalog (Register-ShippyarRepository -AuditServer -AuditDatabase) writes them into that database, table shippyar_catalog.backup_audit, created on first use; any other repository keeps them in its own append-only log, one small object per record under audit/<yyyy>/<mm>/ (JSON lines). -Repository reads whichever the repository uses; -AuditServer and -AuditDatabase read a catalog database directly.

An audit store that cannot be written never fails the operation: it warns, keeps the record in the audit spool on this host (beside the file SHIPPYAR_CONFIG names, else ~/.local/state/shippyar/audit-spool, mode 0700), and sends it with the next record written to that store.
'@
    Parameters  = @{
        Repository      = 'The repository whose audit trail to read: a registered name, a directory or s3://bucket/prefix. Its registered audit catalog when it has one, else its own log.'
        AuditServer     = 'Read a catalog database directly: its server, host or host:port (with -AuditDatabase).'
        AuditDatabase   = 'The catalog database (with -AuditServer).'
        AuditCredential = 'User name and password for the catalog database; without it, PGUSER/PGPASSWORD and .pgpass apply.'
        Operation       = 'Only these operations: Backup, Verify, Drill, Restore, RestoreCluster, PointInTimeRestore, Retention, TableDataRestore, Copy.'
        Status          = 'Only records with these statuses: Succeeded, Failed, Cancelled.'
        Database        = 'Only records of these databases (exact names).'
        Tier            = 'Only records of backups of these tiers.'
        Since           = 'Only operations that started at or after this time.'
        Until           = 'Only operations that started at or before this time.'
        Last            = 'Only the newest N records.'
    }
    Examples    = @(
        @{
            Title   = 'What failed in the last week'
            Code    = 'Get-ShippyarAuditLog -Repository prod -Status Failed -Since (Get-Date).AddDays(-7)'
            Remarks = 'One line per failed operation, with its error.'
        }
        @{
            Title   = 'The last restore drills of a database, from the catalog database'
            Code    = 'Get-ShippyarAuditLog -AuditServer dba01 -AuditDatabase dr_catalog -AuditCredential $cred -Operation Drill -Database shippyar_prod -Last 5'
            Remarks = 'Reads shippyar_catalog.backup_audit directly, whichever repository the records came from.'
        }
    )
    Notes       = 'The table is: id uuid primary key, operation text, backup_id text, backup_file text, size bigint, duration interval, status text, error text, performed_by text, created_at timestamptz, server text, database text, tier text. A login that may not CREATE in the catalog database can write records once the table exists.'
    RelatedLinks = @('Register-ShippyarRepository', 'Invoke-ShippyarBackup', 'Test-ShippyarBackup')
}
