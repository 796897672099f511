@{
    Synopsis    = 'Verifies backups by checksum, catalog, or a restore into a scratch database (a scratch cluster for base backups).'
    Description = @'
Levels, each including the ones before it:
- Checksum: re-hashes every stored file and compares size and SHA-256 with the manifest.
- Catalog (default): also parses the archive and compares its per-table row counts with the manifest, and has pg_restore --list read it and list every table.
- Restore: also restores into a scratch database shippyar_verify_<run token>_<id>, compares every table's own row count (ONLY: an inheritance parent without its children) with the manifest, checks that every foreign key as declared exists and holds (no orphan rows; a partitioned table's key once, not per partition), runs the -Check queries, and always drops the scratch database. Each run has its own token, so several verifications of one backup can run at once; a scratch database left by a killed verification of the same backup is dropped with a warning (see Get-ShippyarLeftover).

Base backups (-Tier Base) are checked the same way, level by level:
- Checksum: as for any backup.
- Catalog: reads the server's backup_manifest (its own Manifest-Checksum, its WAL range against the backup's) and then every tar, decrypted and decompressed: every file must have the manifest's size and SHA-256, nothing the manifest lists may be missing, nothing unlisted may be there; pg_wal.tar must hold every WAL segment from the first to the last the backup needs, each of the server's segment size and starting with its own page header (position, timeline, cluster).
- Restore: restores it into a scratch data directory on this host (tablespaces beside it, tablespace_map pointing there), owned by the postgres OS account when run as root, starts a server there on a free loopback port with a configuration of its own (archive_mode off: a scratch copy never archives into production's WAL archive; no restore_command: the backup's own WAL makes it consistent; logins only over a private socket), waits until it is consistent and accepts connections, runs pg_amcheck (heap and B-tree indexes) on every database that accepts connections and the -Check queries (in postgres unless they name a Database), then stops the server and removes the directory whatever happened. Needs no server parameters. RestoreDuration is the restore plus the start to consistency.
- Recovery (base backups only; logical ones: RecoveryNeedsBaseBackup): everything Restore does, and first a check that the repository's WAL archive holds every segment from the backup to the newest (a gap fails 'WAL archive complete', naming the segment); the scratch copy then replays the archive to its end through the module's shippyar-dr wal-fetch (restore_command with the keys by reference: -PassphraseFile, -PassphraseVariable, -SecretKeyFile, -SignerKeyFile or the registration's; a -Passphrase given directly is refused with RestoreCommandSecret), recovery_target_timeline latest, promotes (archive_mode stays off: nothing goes into the production archive), and 'WAL archive replayed' reports the point reached (timeline, LSN, last transaction, segments replayed). It fails when the replay stops short of the newest archived segment, e.g. at a damaged one.

Returns a ShippyarDr.VerificationResult (BackupId, Level, Passed, Checks with Name/Passed/Detail/Duration, RestoreDuration). A failed check makes Passed $false; it is not an error. Errors are for backups that cannot be found or servers that cannot be reached.
'@
    Parameters  = @{
        SignerKeyFile       = 'Public keys of the signers you trust (gpg --export --armor of the backup hosts'' signing keys, one file for one or several). A signed backup must be signed by one of them; with this parameter every backup must be authenticated.'
        AllowUnauthenticated = 'Accept a backup whose authenticity cannot be established (unsigned, or signed by a key not given) in a repository that holds authenticated backups. Reported as unauthenticated; use it only for backups you know, e.g. ones written before signing was set up.'
        Passphrase          = 'Passphrase of an encrypted backup, as a SecureString (Read-Host -AsSecureString, Get-Secret, (Get-Credential).Password).'
        PassphraseFile      = 'A file whose first line is the passphrase. Mode 600: a file group or others may read still works, with a warning (chmod 600 fixes it).'
        PassphraseVariable  = 'Name of an environment variable holding the passphrase (Azure Automation, cron).'
        SecretKeyFile       = 'OpenPGP secret key file (gpg --export-secret-keys --armor) for backups encrypted to a public key. Mode 600: a file group or others may read still works, with a warning.'
        SecretKeyPassphrase = 'Passphrase protecting the secret key, as a SecureString.'
        InputObject      = 'A ShippyarDr.BackupInfo, usually piped from Get-ShippyarBackup or Invoke-ShippyarBackup.'
        Repository       = 'The repository holding the backup (with -Id, or by property name from the pipeline). A registered name works too: its registered signer keys, passphrase or secret key reference apply where this command gives none.'
        Id               = 'The backup id (with -Repository).'
        Level            = 'Checksum, Catalog (default), Restore, or Recovery (base backups: also replay the WAL archive to its end and report the point reached).'
        Check            = 'Extra checks after a restore: hashtables @{ Name = ...; Sql = ...; Expected = ... } (for cluster backups add Database = ... to say where it runs). The query returns one value, compared as text with Expected ($null expects NULL). Requires -Level Restore.'
        Server           = 'Server for the scratch restore of a logical backup, host or host:port. Defaults to the server the backup came from. Base backups are restored into a scratch cluster on this host instead.'
        Port             = 'Port for the scratch restore.'
        Credential       = 'User name and password for the scratch restore. The user must be allowed to create databases.'
        ConnectionString = 'A connection string for the scratch restore server.'
    }
    Examples    = @(
        @{
            Title   = 'Prove the WAL archive after the newest base backup replays, not just exists'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg -Tier Base -Latest | Test-ShippyarBackup -Level Recovery -PassphraseFile /etc/shippyar/passphrase'
            Remarks = 'The check ''WAL archive replayed'' says how far the scratch copy got (timeline, LSN, last transaction time); the scratch copy never archives.'
        }
        @{
            Title   = 'Prove last night''s base backup restores and is not corrupt'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg -Tier Base -Latest | Test-ShippyarBackup -Level Restore -PassphraseFile /etc/shippyar/passphrase'
            Remarks = 'Restores into a scratch data directory, starts it on a free loopback port (archive_mode off), runs pg_amcheck on every database, and removes it. Run as root it uses the postgres OS account.'
        }
        @{
            Title   = 'Monthly restore drill of the newest backups, failing loudly'
            Code    = '$results = Get-ShippyarBackup -Repository /var/backups/pg -Latest | Test-ShippyarBackup -Level Restore
$results | Where-Object Passed -eq $false | ForEach-Object { $_.Checks | Where-Object Passed -eq $false }'
            Remarks = 'RestoreDuration is a measured recovery time for each backup.'
        }
        @{
            Title   = 'A business check on the restored data'
            Code    = 'Get-ShippyarBackup /var/backups/pg -Database shippyar_prod -Latest |
    Test-ShippyarBackup -Level Restore -Check @{ Name = "no order without items"; Sql = "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)"; Expected = 0 }'
            Remarks = ''
        }
        @{
            Title   = 'Checksums only, for every backup in the repository'
            Code    = 'Get-ShippyarBackup /var/backups/pg | Test-ShippyarBackup -Level Checksum | Format-Table'
            Remarks = 'Needs no server; catches bit rot and tampering.'
        }
    )
    Notes       = 'Checksum needs no key even for encrypted backups; Catalog and Restore decrypt with -Passphrase or -SecretKeyFile. The scratch database is dropped even when a check fails or the command is stopped with Ctrl+C.'
    RelatedLinks = @('Get-ShippyarBackup', 'Restore-ShippyarDatabase')
}
