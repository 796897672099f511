@{
    Synopsis    = 'Restores a backup as a database, protecting any database it replaces.'
    Description = @'
Restores into a staging database first and checks every table's row count against the backup's manifest. Only then is the target touched:
- A new target name is simply created (nothing is destroyed, no confirmation is asked).
- An existing target needs confirmation or -Force. A safety backup of it is taken into the same repository first (tier Safety), its sessions are ended, and in one transaction the target is renamed aside and the checked staging copy into its place (a session that connects in between makes it try again); the old database is dropped last.
If anything fails, the target is left as it was: a crash leaves either the old or the new database under the target's name, never neither, and it always accepts connections.

template0 and template1 are never restored over (error TemplateDatabaseTarget), nor any database marked as a template. The postgres database is replaced only with -Force; -Confirm:$false is not enough (error PostgresDatabaseTarget).

The staging (shippyar_restore_<token>_<id>) and replaced (shippyar_replaced_<token>_<id>) databases carry the run's own token, so restores of one backup into different targets can run at once, and what a killed restore leaves is listed by Get-ShippyarLeftover. A restore drops what earlier interrupted restores of the same target left, with a warning.

Returns a ShippyarDr.RestoreResult with the row checks and the newest created_at of each table that has one (how recent the restored data is).
'@
    Parameters  = @{
        SignerKeyFile       = 'Public keys of the signers you trust (gpg --export --armor of the backup hosts'' signing keys, one file for one or several). A signed backup must be signed by one of them; with this parameter every backup must be authenticated.'
        AllowUnauthenticated = 'Accept a backup whose authenticity cannot be established (unsigned, or signed by a key not given) in a repository that holds authenticated backups. Reported as unauthenticated; use it only for backups you know, e.g. ones written before signing was set up.'
        SigningKeyFile      = 'OpenPGP secret key that signs the safety backup of a replaced database. Defaults to the -SecretKeyFile key when it can sign; needed when the backup is encrypted to public keys and that key cannot sign.'
        SigningKeyPassphrase = 'Passphrase protecting the signing key, as a SecureString.'
        Passphrase          = 'Passphrase of an encrypted backup, as a SecureString (Read-Host -AsSecureString, Get-Secret, (Get-Credential).Password).'
        PassphraseFile      = 'A file whose first line is the passphrase. Mode 600: a file group or others may read still works, with a warning (chmod 600 fixes it).'
        PassphraseVariable  = 'Name of an environment variable holding the passphrase (Azure Automation, cron).'
        SecretKeyFile       = 'OpenPGP secret key file (gpg --export-secret-keys --armor) for backups encrypted to a public key. Mode 600: a file group or others may read still works, with a warning.'
        SecretKeyPassphrase = 'Passphrase protecting the secret key, as a SecureString.'
        InputObject      = 'A ShippyarDr.BackupInfo, usually piped from Get-ShippyarBackup.'
        Repository       = 'The repository holding the backup (with -Id). A registered name works too: its registered signer keys, passphrase or secret key reference, signing key and encryption (a plain backup''s safety backup is encrypted like the repository) apply where this command gives none.'
        Id               = 'The backup id (with -Repository).'
        SourceDatabase   = 'For a cluster (Weekly) backup: which of its databases to restore.'
        TargetDatabase   = 'Database to restore as. Defaults to the database the backup was taken of.'
        Force            = 'Replace an existing target without asking. The safety backup is still taken. The only way to replace the postgres database.'
        NoOwner          = 'Do not restore ownership and grants (for a server that lacks the source roles).'
        LockWaitTimeout  = 'How long the safety backup''s pg_dump waits for the lock on each table of the existing target (default 5m; 0 waits as long as it takes). A table locked exclusively for longer fails the restore with PgDumpLockTimeout, and the target stays as it was.'
        Server           = 'Server to restore to, host or host:port. Defaults to the server the backup came from.'
        Port             = 'Port of the server to restore to.'
        Credential       = 'User name and password; the user must be allowed to create databases.'
        ConnectionString = 'A connection string for the server to restore to.'
    }
    Examples    = @(
        @{
            Title   = 'Restore yesterday''s backup next to production to look at it'
            Code    = 'Get-ShippyarBackup /var/backups/pg -Database shippyar_prod -Latest | Restore-ShippyarDatabase -TargetDatabase shippyar_inspect'
            Remarks = 'A new database: no confirmation, no safety backup needed.'
        }
        @{
            Title   = 'Replace production with the latest backup'
            Code    = 'Get-ShippyarBackup /var/backups/pg -Database shippyar_prod -Latest | Restore-ShippyarDatabase -Force'
            Remarks = 'Takes a safety backup of shippyar_prod first; its id is in SafetyBackupId.'
        }
        @{
            Title   = 'See what would happen'
            Code    = 'Restore-ShippyarDatabase -Repository /var/backups/pg -Id 20261125-040512D-7f3a -WhatIf'
            Remarks = ''
        }
    )
    Notes       = 'Encrypted backups need -Passphrase (or -PassphraseFile / -PassphraseVariable) or -SecretKeyFile. Connections to the target are ended during the swap; schedule it like any maintenance. A session that cannot ask (pwsh -NonInteractive, a scheduled job) gets a ConfirmationRequired error instead of a prompt: add -Force (or -Confirm:$false) there. A damaged backup fails with BackupCorrupt (or CompressedDataCorrupt, EncryptedDataTampered) naming the file, and changes nothing.'
    RelatedLinks = @('Get-ShippyarBackup', 'Test-ShippyarBackup', 'Invoke-ShippyarBackup', 'Get-ShippyarLeftover')
}
