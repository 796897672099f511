@{
    Synopsis    = 'Verifies backups by checksum, catalog, or a restore into a scratch database.'
    Description = @'
Levels, each including the ones before it:
- Checksum: re-hashes every stored file and compares size and SHA-256 with the manifest.
- Catalog (default): also parses the archive and compares its per-table row counts with the manifest, and has pg_restore --list read it and list every table.
- Restore: also restores into a scratch database shippyar_verify_<run token>_<id>, compares every table's own row count (ONLY: an inheritance parent without its children) with the manifest, checks that every foreign key as declared exists and holds (no orphan rows; a partitioned table's key once, not per partition), runs the -Check queries, and always drops the scratch database. Each run has its own token, so several verifications of one backup can run at once; a scratch database left by a killed verification of the same backup is dropped with a warning (see Get-ShippyarLeftover).

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
        Level            = 'Checksum, Catalog (default) or Restore.'
        Check            = 'Extra checks after a restore: hashtables @{ Name = ...; Sql = ...; Expected = ... } (for cluster backups add Database = ... to say where it runs). The query returns one value, compared as text with Expected ($null expects NULL). Requires -Level Restore.'
        Server           = 'Server for the scratch restore, host or host:port. Defaults to the server the backup came from.'
        Port             = 'Port for the scratch restore.'
        Credential       = 'User name and password for the scratch restore. The user must be allowed to create databases.'
        ConnectionString = 'A connection string for the scratch restore server.'
    }
    Examples    = @(
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
