@{
    Synopsis    = 'Backs up PostgreSQL databases (Daily), the whole cluster (Weekly) or a physical base backup of it (Base) into one or more repositories.'
    Description = @'
Runs pg_dump in custom format (uncompressed) and streams its output in one pass through zstd (or gzip) compression and, when asked, OpenPGP AES-256 encryption (gpg-compatible) into every repository given, computing the SHA-256 of the dump and of what is stored and counting the rows of every table from the archive itself.

Tiers are presets: Daily backs up the databases named (kept 90 days, cloud copies STANDARD_IA); Weekly backs up the whole cluster - roles and tablespaces (pg_dumpall --globals-only) and every database - and must be encrypted (kept a year, cloud copies GLACIER); Safety is what restores take before replacing a database. A stored object is named like data.dump.zst.gpg: gpg --decrypt | zstd -d | pg_restore opens it without ShippyarDr. The manifest (id, database, server, server version, system identifier, times, sizes, checksums, tier, tool versions) is written last, so an interrupted backup never looks complete; its partial files are removed.

Base takes a physical base backup of the whole cluster for point-in-time recovery (kept 30 days, cloud copies STANDARD, encryption optional): the server's own BASE_BACKUP over a replication connection, as pg_basebackup -Ft -X fetch takes it, streamed archive by archive through the same compression, encryption, checksums and chunk digests into every repository, with no local copy: one tar per tablespace (<oid>.tar.zst), the data directory (base.tar.zst), the WAL from the backup's start to its stop (pg_wal.tar.zst, so the backup is consistent without the WAL archive) and the server's backup_manifest (SHA-256 of every file). The manifest records timeline, start and stop LSN and time, the first and last WAL segment and the one from which recovery past the backup needs the WAL archive (Physical.ArchiveNeededFrom), and every tablespace. The role needs REPLICATION and a 'replication' line in pg_hba.conf; PostgreSQL 15 or newer; libpq (libpq5) must be installed. A temporary replication slot keeps the server from recycling the backup's WAL while it runs. The stored tars open without ShippyarDr: zstd -dc base.tar.zst | tar -x.

pg_dump is found through SHIPPYAR_PG_BINDIR, PATH, pg_config or the usual PostgreSQL package directories, and must be at least the server's major version. The password reaches pg_dump only through its environment, never its command line.

Returns one ShippyarDr.BackupInfo per database (per repository it is stored in).
'@
    Parameters  = @{
        SigningKeyFile     = 'OpenPGP secret key (gpg --export-secret-keys --armor) that signs every manifest with a detached signature (manifest.json.sig, checked by gpg --verify). Required with -Recipient: anybody holding the recipients'' public keys could otherwise forge a backup. Give the DR team its public half for -SignerKeyFile.'
        SigningKeyPassphrase = 'Passphrase protecting the signing key, as a SecureString.'
        Database           = 'Databases to back up (Daily, Safety). Accepts pipeline input, by value or by property name (Name). Not used with -Tier Weekly or -Tier Base, which take the whole cluster.'
        Repository         = 'One or more repositories: registered names (Register-ShippyarRepository: their S3 settings apply, and their registered encryption and signing key when this command gives none; repositories registered with different ones cannot share one backup: RegisteredSettingsConflict), directories that must exist (a missing one is usually an unmounted volume) or s3://bucket/prefix. One dump pass feeds them all; the backup is complete in each when its manifest is there. If one of several fails midway (an S3 outage), it is dropped and cleaned up, the backup completes in the others, and an error names the failed repository (ErrorId as the failure, e.g. S3UploadFailed). One of several that cannot be opened when the backup starts (an S3 store that does not answer: RepositoryTimeout; a missing directory: RepositoryNotFound) is left out the same way, with an error saying the backup was not stored there. With no repository left, the backup fails.'
        Tier               = 'Daily (default), Weekly (whole cluster, encryption required), Base (a physical base backup of the whole cluster, for point-in-time recovery) or Safety. Recorded in the manifest and used by Get-ShippyarBackupStatus.'
        Checkpoint         = 'Base backups: how the checkpoint that starts the backup runs. Spread (default, as pg_basebackup): at the server''s checkpoint_completion_target pace, gentle on a busy server''s I/O, but the backup waits for it (up to checkpoint_timeout x checkpoint_completion_target, 4.5 minutes with the defaults). Fast: the checkpoint runs at full speed and the backup starts at once (for drills, tests, a backup before maintenance).'
        Compression        = 'zstd (default, the machine''s libzstd when present), gzip or none.'
        CompressionLevel   = 'Compression level: zstd 1-19 (default 1: on pg_dump output it is 2.3x faster than 3 for the same size), gzip 1-9 (default 6).'
        Passphrase         = 'Encrypt with this passphrase (SecureString). gpg --decrypt reads the result.'
        PassphraseFile     = 'Encrypt with the passphrase in the first line of this file. Mode 600: a file group or others may read still works, with a warning (chmod 600 fixes it).'
        PassphraseVariable = 'Encrypt with the passphrase in this environment variable.'
        Recipient          = 'Encrypt to these recipients (e-mail, user id or fingerprint) instead of a passphrase; the backup host needs only their public keys.'
        RecipientKeyFile   = 'The recipients'' public keys, as gpg --export --armor writes them.'
        StorageClass       = 'Storage class for the data objects in cloud repositories, overriding the tier''s (STANDARD_IA for Daily, GLACIER for Weekly, STANDARD for Base).'
        LockWaitTimeout    = 'How long pg_dump waits for the shared lock on each table before the backup fails (pg_dump --lock-wait-timeout); default 5m, 0 waits as long as it takes. pg_dump waits only behind an exclusive lock (ALTER TABLE, VACUUM FULL, LOCK TABLE, a transaction left open) and, while it waits, holds its snapshot and blocks the DDL queued behind it; failing lets someone act and leaves time to run the backup again. The error is PgDumpLockTimeout, naming the table; no backup is listed. Durations: 90s, 10m, or a TimeSpan.'
        ObjectLockDays     = 'S3 repositories: store every object of the backup (data, chunk digests, seals and the manifest) under S3 Object Lock for this many days (1-3650) from the backup''s start, set in the request that creates each object, so no object of it is ever unlocked. The manifest records the end (BackupInfo.ObjectLockUntil, authenticated with the manifest), and deletes before then are refused by the store (ErrorId ObjectLocked, saying until when). The bucket must have been created with Object Lock enabled (otherwise ObjectLockNotEnabled, before the backup is complete; nothing is left behind); directory repositories cannot lock (ObjectLockNotSupported). A lock cannot be lifted early in Compliance mode: locked objects are stored, and paid for, until it ends. If a locked backup fails midway, the objects it already stored stay until the lock ends; the warning names them.'
        ObjectLockMode     = 'With -ObjectLockDays: Compliance (default) - nobody, not even the AWS account''s root user, can delete the objects or shorten the lock, which is what protects backups from ransomware or an attacker holding the backup credentials; Governance - users with s3:BypassGovernanceRetention can, so a mistaken lock can be corrected (and such credentials can undo it).'
        Server           = 'PostgreSQL host, or host:port. Defaults to PGHOST, then localhost.'
        Port             = 'PostgreSQL port. Defaults to PGPORT, then 5432.'
        Credential       = 'User name and password. Without it, PGUSER/PGPASSWORD or ~/.pgpass apply, as with libpq tools.'
        ConnectionString = 'An Npgsql/libpq-style connection string (Host=...;Port=...;Username=...). Explicit parameters win over it.'
    }
    Examples    = @(
        @{
            Title   = 'The nightly base backup for point-in-time recovery, to local disk and S3'
            Code    = 'Invoke-ShippyarBackup -Tier Base -Server db01 -Credential $replicator -Repository /var/backups/pg, s3://shippyar-db-backups/base -PassphraseFile /etc/shippyar/passphrase'
            Remarks = 'Every tablespace, the WAL that makes it consistent and the server''s backup_manifest, streamed into both repositories. Test-ShippyarBackup -Level Restore restores it into a scratch cluster and runs pg_amcheck.'
        }
        @{
            Title   = 'Back up into a registered repository with its registered encryption and signing key'
            Code    = 'Invoke-ShippyarBackup -Database shippyar_prod -Repository prod'
            Remarks = 'Register-ShippyarRepository prod ... -Recipient dr@shippyar.example -RecipientKeyFile /etc/shippyar/dr.asc -SigningKeyFile /etc/shippyar/host.sec.asc stored where the store is and which keys to use; -Passphrase*, -Recipient or -SigningKeyFile given here override them.'
        }
        @{
            Title   = 'The weekly encrypted cluster backup, to a key only the DR team can open'
            Code    = 'Invoke-ShippyarBackup -Tier Weekly -Repository /var/backups/pg-weekly -Recipient backup@shippyar.example -RecipientKeyFile /etc/shippyar/dr-team.asc'
            Remarks = 'Roles, tablespaces and every database, each zstd-compressed and encrypted; restore with Restore-ShippyarCluster.'
        }
        @{
            Title   = 'Daily backup to local disk and S3 in one pass, encrypted with a passphrase from the environment'
            Code    = 'Invoke-ShippyarBackup -Database shippyar_prod -Tier Daily -Repository /var/backups/pg, s3://shippyar-db-backups/daily -PassphraseVariable SHIPPYAR_PASSPHRASE'
            Remarks = 'Returns one BackupInfo per repository that holds the complete backup. When S3 fails midway the local copy still completes: the command returns it and writes an S3UploadFailed error, so a runbook can check -ErrorVariable and re-copy later with Copy-ShippyarBackup.'
        }
        @{
            Title   = 'Nightly backup that fails rather than wait behind a stuck lock'
            Code    = 'Invoke-ShippyarBackup -Database shippyar_prod -Repository /var/backups/pg, s3://shippyar-db-backups/daily -LockWaitTimeout 2m -S3Timeout 30s -ErrorVariable failed'
            Remarks = 'A table locked exclusively for more than 2 minutes fails the backup with PgDumpLockTimeout. An S3 store that does not answer fails within 6 × (10 s + 30 s) + 31 s with RepositoryTimeout, and the local copy completes.'
        }
        @{
            Title   = 'An immutable daily backup in S3 that ransomware cannot delete for 30 days'
            Code    = 'Invoke-ShippyarBackup -Database shippyar_prod -Repository s3://shippyar-db-locked/daily -ObjectLockDays 30 -PassphraseVariable SHIPPYAR_PASSPHRASE'
            Remarks = 'The bucket was created with aws s3api create-bucket --object-lock-enabled-for-bucket. Every object is stored in COMPLIANCE mode until 30 days after the backup started; the returned BackupInfo''s ObjectLockUntil says when. Add -ObjectLockMode Governance to allow holders of s3:BypassGovernanceRetention to lift it.'
        }
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
    Notes       = 'Errors carry stable ErrorIds (ReplicationNotAllowed, BaseBackupFailed, BaseBackupUnsupported, DataChecksumFailure, LibpqNotFound, CheckpointNotApplicable, DatabaseNotFound, AuthenticationFailed, ServerUnreachable, RepositoryNotFound, PgToolNotFound, PgDumpFailed, PgDumpLockTimeout, EncryptionRequired, RecipientNotFound, SigningKeyRequired, AuthenticationRequired, InvalidDatabaseName, S3UploadFailed, RepositoryUnreachable, RepositoryTimeout, PassphraseFileNotFound, KeyFileUnreadable, InvalidConnectionString, InvalidS3Endpoint, ObjectLockNotSupported, ObjectLockNotEnabled, InvalidObjectLockDays, ObjectLockModeWithoutDays). Relative paths and ~ in -Repository, -PassphraseFile, -RecipientKeyFile and -SigningKeyFile resolve against the current location (Set-Location), as with other cmdlets.'
    RelatedLinks = @('Get-ShippyarBackup', 'Test-ShippyarBackup', 'Copy-ShippyarBackup', 'Restore-ShippyarCluster', 'Get-ShippyarBackupStatus')
}
