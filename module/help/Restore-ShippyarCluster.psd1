@{
    Synopsis    = 'Restores a cluster (Weekly) backup into a server, or recovers a cluster to a point in time from a base backup and the WAL archive.'
    Description = @'
Runs the backup's globals script (roles, memberships, tablespaces) through psql, then restores each database through the same path as Restore-ShippyarDatabase: into a staging database, row counts checked, then put in place. The role doing the restore keeps its own definition and password on the target, so the restore cannot lock itself out. An empty postgres database (every new cluster has one) is simply replaced; a postgres database that is not empty only with -Force (-Confirm:$false is not enough); other existing databases are replaced only after confirmation or -Force, each after a safety backup. template0 and template1 are never restored over (cluster backups never hold them).

Use it to rebuild a lost server on a fresh cluster (initdb), or to clone a cluster for a drill.

Point-in-time recovery (-DataDirectory with -TargetTime, -TargetLsn, -TargetXid, -TargetName or -Latest): picks the newest base backup (Invoke-ShippyarBackup -Tier Base) in -Repository that ends before the target (or -BackupId), and before anything is written checks that no server runs on the directory (postmaster.pid) and that the repository's WAL archive holds every segment from the backup to the target (WalSegmentMissing names the first one missing; a time target is judged by when segments were archived). A directory that is not empty is renamed to a sibling <dir>.shippyar-<UTC time>, never deleted (the confirmation says so). The base backup is restored (tablespaces back where they were, or where -TablespaceLocation says), then recovery.signal and the settings go into postgresql.auto.conf: restore_command runs the module's shippyar-dr wal-fetch with the repository and the keys by reference (-PassphraseFile, -PassphraseVariable, -SecretKeyFile, -SignerKeyFile, or the registration's), recovery_target_action promote, recovery_target_timeline latest, archive_mode off until you enable it. A secret given directly (-Passphrase, -SecretKeyPassphrase, -S3Credential) cannot be written into restore_command and is refused (RestoreCommandSecret). The data directory is 0700 and owned by -OsUser (run as root: postgres). With -Start the server is started as that account on -StartPort (default a free port), the command waits until recovery ends, and the result reports the point reached (timeline, LSN, time of the last replayed transaction) and the WAL segments replayed. Returns a ShippyarDr.PointInTimeRestoreResult.
'@
    Parameters  = @{
        SignerKeyFile       = 'Public keys of the signers you trust (gpg --export --armor of the backup hosts'' signing keys, one file for one or several). A signed backup must be signed by one of them; with this parameter every backup must be authenticated.'
        AllowUnauthenticated = 'Accept a backup whose authenticity cannot be established (unsigned, or signed by a key not given) in a repository that holds authenticated backups. Reported as unauthenticated; use it only for backups you know, e.g. ones written before signing was set up.'
        SigningKeyFile      = 'OpenPGP secret key that signs the safety backup of a replaced database. Defaults to the -SecretKeyFile key when it can sign; needed when the backup is encrypted to public keys and that key cannot sign.'
        SigningKeyPassphrase = 'Passphrase protecting the signing key, as a SecureString.'
        InputObject         = 'A Weekly ShippyarDr.BackupInfo, usually piped from Get-ShippyarBackup -Tier Weekly -Latest.'
        Repository          = 'The repository holding the backup (with -Id), or for point-in-time recovery the base backups and the WAL archive (a path, s3:// URL or registered name; restore_command gets its location). A registered name works too: its registered signer keys, passphrase or secret key reference, signing key and encryption (a plain backup''s safety backup is encrypted like the repository) apply where this command gives none.'
        Id                  = 'The backup id (with -Repository). Point-in-time recovery (-BackupId): the base backup to start from; default the newest one that ends before the target.'
        Database            = 'Only these databases of the backup.'
        SkipGlobals         = 'Do not run the roles and tablespaces script (they exist already).'
        Force               = 'Replace existing databases without asking (each gets a safety backup first); the only way to replace a postgres database that is not empty.'
        LockWaitTimeout     = 'How long each safety backup''s pg_dump waits for the lock on a table of an existing database (default 5m; 0 waits as long as it takes). A table locked exclusively for longer stops the restore with PgDumpLockTimeout before that database is touched.'
        Passphrase          = 'Passphrase of the backup, as a SecureString.'
        PassphraseFile      = 'A file whose first line is the passphrase. Mode 600: a file group or others may read still works, with a warning (chmod 600 fixes it).'
        PassphraseVariable  = 'Name of an environment variable holding the passphrase.'
        SecretKeyFile       = 'OpenPGP secret key file (gpg --export-secret-keys --armor) for backups encrypted to a public key. Mode 600: a file group or others may read still works, with a warning.'
        SecretKeyPassphrase = 'Passphrase protecting the secret key, as a SecureString.'
        Server              = 'Server to restore into, host or host:port. Defaults to the server the backup came from.'
        Port                = 'Port of the server to restore into.'
        Credential          = 'A superuser of the target server (creating roles needs one).'
        ConnectionString    = 'A connection string for the target server.'
        DataDirectory       = 'Point-in-time recovery: the data directory to restore into: new, empty, or (after confirmation) one whose contents are moved to a sibling <dir>.shippyar-<time>. Refused while a server runs on it.'
        TargetTime          = 'Point-in-time recovery: replay up to this time (a DateTime or DateTimeOffset; local times are converted to UTC). Transactions committed after it are not replayed.'
        TargetLsn           = 'Point-in-time recovery: replay up to this WAL position (e.g. 0/5000060).'
        TargetXid           = 'Point-in-time recovery: replay up to this transaction id (included).'
        TargetName          = 'Point-in-time recovery: replay up to this restore point (New-ShippyarRestorePoint).'
        Latest              = 'Point-in-time recovery: replay everything the WAL archive holds (a lost server).'
        Start               = 'Point-in-time recovery: start the server as -OsUser, wait until its recovery ends and report the point reached. Without it, start the server yourself (pg_ctl start) to recover.'
        StartPort           = 'Point-in-time recovery with -Start: the port the server listens on (default a free port; the restored configuration''s listen_addresses apply).'
        TablespaceLocation  = 'Point-in-time recovery: new places for tablespaces, by oid or name: @{ ts_fast = ''/srv/ts-recovered'' }. A tablespace not named goes back where the server had it, which must be empty or absent: it is never moved aside, since a server running beside the recovered copy may be using it.'
        OsUser              = 'Point-in-time recovery: the OS account that owns the data directory and runs the server (run as root, the default is postgres; otherwise the current user).'
    }
    Examples    = @(
        @{
            Title   = 'Rebuild a lost server on a fresh cluster'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg-weekly -Tier Weekly -Latest |
    Restore-ShippyarCluster -Server new-db01 -Credential (Get-Credential postgres) -SecretKeyFile /secure/dr-team.sec.asc -SecretKeyPassphrase (Read-Host -AsSecureString)'
            Remarks = 'Returns a ClusterRestoreResult with one RestoreResult per database.'
        }
        @{
            Title   = 'Undo a destructive statement: recover the cluster to just before it'
            Code    = 'Restore-ShippyarCluster -Repository prod -DataDirectory /var/lib/postgresql/15/recovered -TargetTime ''2026-12-01 11:52:00Z'' -PassphraseFile /etc/shippyar/pass -Start -StartPort 5440 -Confirm:$false'
            Remarks = 'Restores the newest base backup before 11:52 UTC, replays the WAL archive up to it and promotes; the original server keeps running. Returns a PointInTimeRestoreResult with the point reached.'
        }
        @{
            Title   = 'A lost server: recover everything the archive holds into its old data directory'
            Code    = 'Restore-ShippyarCluster -Repository /backups/pg -DataDirectory /var/lib/postgresql/15/main -Latest -Start'
            Remarks = 'What is still in the directory is moved to /var/lib/postgresql/15/main.shippyar-<time> after confirmation. Enable archiving again (archive_mode) once the server is back.'
        }
    )
    Notes       = 'Point-in-time recovery runs on the host of the data directory, as root or as the server account; restore_command runs as the server account, so the repository and key files must be readable by it, and a -PassphraseVariable must be set in the environment the server starts from. Logical restores need a superuser on the target. Connections to replaced databases are ended during their swap. A session that cannot ask (pwsh -NonInteractive, a scheduled job) gets a ConfirmationRequired error instead of a prompt: add -Force (or -Confirm:$false) there.'
    RelatedLinks = @('Invoke-ShippyarBackup', 'Restore-ShippyarDatabase', 'Test-ShippyarBackup')
}
