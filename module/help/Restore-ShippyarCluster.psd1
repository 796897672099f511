@{
    Synopsis    = 'Restores a cluster (Weekly) backup into a server: roles, tablespaces and every database.'
    Description = @'
Runs the backup's globals script (roles, memberships, tablespaces) through psql, then restores each database through the same path as Restore-ShippyarDatabase: into a staging database, row counts checked, then put in place. The role doing the restore keeps its own definition and password on the target, so the restore cannot lock itself out. An empty postgres database (every new cluster has one) is simply replaced; a postgres database that is not empty only with -Force (-Confirm:$false is not enough); other existing databases are replaced only after confirmation or -Force, each after a safety backup. template0 and template1 are never restored over (cluster backups never hold them).

Use it to rebuild a lost server on a fresh cluster (initdb), or to clone a cluster for a drill.
'@
    Parameters  = @{
        SignerKeyFile       = 'Public keys of the signers you trust (gpg --export --armor of the backup hosts'' signing keys, one file for one or several). A signed backup must be signed by one of them; with this parameter every backup must be authenticated.'
        AllowUnauthenticated = 'Accept a backup whose authenticity cannot be established (unsigned, or signed by a key not given) in a repository that holds authenticated backups. Reported as unauthenticated; use it only for backups you know, e.g. ones written before signing was set up.'
        SigningKeyFile      = 'OpenPGP secret key that signs the safety backup of a replaced database. Defaults to the -SecretKeyFile key when it can sign; needed when the backup is encrypted to public keys and that key cannot sign.'
        SigningKeyPassphrase = 'Passphrase protecting the signing key, as a SecureString.'
        InputObject         = 'A Weekly ShippyarDr.BackupInfo, usually piped from Get-ShippyarBackup -Tier Weekly -Latest.'
        Repository          = 'The repository holding the backup (with -Id). A registered name works too: its registered signer keys, passphrase or secret key reference, signing key and encryption (a plain backup''s safety backup is encrypted like the repository) apply where this command gives none.'
        Id                  = 'The backup id (with -Repository).'
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
    }
    Examples    = @(
        @{
            Title   = 'Rebuild a lost server on a fresh cluster'
            Code    = 'Get-ShippyarBackup -Repository /var/backups/pg-weekly -Tier Weekly -Latest |
    Restore-ShippyarCluster -Server new-db01 -Credential (Get-Credential postgres) -SecretKeyFile /secure/dr-team.sec.asc -SecretKeyPassphrase (Read-Host -AsSecureString)'
            Remarks = 'Returns a ClusterRestoreResult with one RestoreResult per database.'
        }
    )
    Notes       = 'Needs a superuser on the target. Connections to replaced databases are ended during their swap. A session that cannot ask (pwsh -NonInteractive, a scheduled job) gets a ConfirmationRequired error instead of a prompt: add -Force (or -Confirm:$false) there.'
    RelatedLinks = @('Invoke-ShippyarBackup', 'Restore-ShippyarDatabase', 'Test-ShippyarBackup')
}
