@{
    Synopsis    = 'Names a repository, with how to reach it and references to the keys of its backups, for the cmdlets and the shippyar-dr CLI.'
    Description = @'
archive_command runs with no PowerShell session and no parameters, so a repository it writes to must have a name. Register-ShippyarRepository stores the name, the location (a directory, made absolute, or s3://bucket/prefix), its S3 settings and references to its keys in a JSON configuration file; every -Repository (and -Destination) then accepts the name, and the registered settings apply wherever a command gives none of its own.

The file never holds a secret. S3 credentials are the AWS default chain (nothing given), a named AWS profile (-S3Profile) or the names of environment variables (-S3AccessKeyVariable, -S3SecretKeyVariable); -S3Credential is not accepted here. Passphrases are a file or an environment variable name; public-key encryption names recipients and the file of their public keys. Every file given is resolved to an absolute path and opened now (key files must parse, recipients must be in their key file), so a typo fails here rather than in the night.

Scopes: User (default) writes $XDG_CONFIG_HOME/shippyar/repositories.json (else ~/.config/shippyar/repositories.json), mode 0600. Machine writes /etc/shippyar/repositories.json, mode 0640 with group postgres, so the postgres OS user that runs archive_command can read it and nobody else can. When SHIPPYAR_CONFIG is set, the file it names is the only configuration and is written instead: -Scope Machine makes it 0640 with group postgres; otherwise a new file is 0600 and an existing one keeps its mode and group (a later registration never narrows a file archive_command reads). Without SHIPPYAR_CONFIG both files are read and a user's entry replaces a machine entry of the same name.

The file is written whole to a temporary file that replaces it (readers see the old or the new one), under a lock. A file that group or others may write, or that belongs to a user other than root and the reader, is refused (ConfigurationInsecure), as is a malformed file (ConfigurationInvalid, naming the file and the line) or one holding a secret (SecretNotAllowed).
'@
    Parameters  = @{
        Name                         = 'The name: letters, digits, ''.'', ''_'' and ''-'', starting with a letter or digit (names ignore case).'
        Location                     = 'A directory (resolved against the current location and stored as an absolute path) or s3://bucket/prefix.'
        S3Endpoint                   = 'Endpoint of an S3-compatible store (http(s)://host:port); implies path-style addressing.'
        S3Region                     = 'AWS region (or the signing region of an S3-compatible store).'
        S3PathStyle                  = 'Path-style addressing (bucket in the path).'
        ServerSideEncryption         = 'Server-side encryption of objects written: AES256 or aws:kms (with -KmsKeyId).'
        KmsKeyId                     = 'KMS key id or ARN for -ServerSideEncryption aws:kms.'
        S3Timeout                    = 'How long a connection may go without progress (default 60s). Durations: 30s, 2m, or a TimeSpan.'
        RetentionPolicy              = 'The retention Invoke-ShippyarRetention applies to this repository when it is given no -Policy: a ShippyarDr.Retention.RetentionPolicy or a hashtable such as @{ Daily = @{ KeepDays = 30; KeepMonthly = 12 }; Base = @{ KeepDays = 14 }; WalDays = 14 }. Tiers left out keep what each backup recorded (90 days Daily, 365 Weekly, 30 Safety and Base; WAL 30 days).'
        S3Profile                    = 'A named AWS profile (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE) holds the S3 credentials.'
        S3AccessKeyVariable          = 'The name of the environment variable that holds the S3 access key (with -S3SecretKeyVariable). The name is stored, never the key.'
        S3SecretKeyVariable          = 'The name of the environment variable that holds the S3 secret key.'
        PassphraseFile               = 'Backups written into it are encrypted with the passphrase in the first line of this file (and their manifests MAC''d), unless a command gives its own encryption. Readers use it to decrypt.'
        PassphraseVariable           = 'As -PassphraseFile, with the passphrase in this environment variable (the name is stored).'
        Recipient                    = 'Backups are encrypted to these recipients (e-mail, user id or fingerprint) instead of a passphrase; needs -RecipientKeyFile, and -SigningKeyFile on the hosts that write backups.'
        RecipientKeyFile             = 'The recipients'' public keys (gpg --export --armor).'
        SigningKeyFile               = 'An OpenPGP secret key that signs the manifests written into it: backups, and a restore''s safety backups.'
        SigningKeyPassphraseFile     = 'A file whose first line is the signing key''s passphrase.'
        SigningKeyPassphraseVariable = 'The environment variable that holds the signing key''s passphrase.'
        SignerKeyFile                = 'Public keys of the signers whose signatures readers trust (one or several files).'
        SecretKeyFile                = 'An OpenPGP secret key that decrypts backups encrypted to public keys (on a host that verifies or restores).'
        SecretKeyPassphraseFile      = 'A file whose first line is the secret key''s passphrase.'
        SecretKeyPassphraseVariable  = 'The environment variable that holds the secret key''s passphrase.'
        AuditServer                  = 'The server of the catalog database that operations on this repository are audited in (host or host:port; with -AuditDatabase). Table shippyar_catalog.backup_audit is created there on first use. Without it, records go to the repository''s own audit log (audit/ in it).'
        AuditDatabase                = 'The catalog database (with -AuditServer).'
        AuditUser                    = 'The login that writes audit records (INSERT on shippyar_catalog.backup_audit, and CREATE on the database until the table exists); default: the OS user''s name.'
        AuditPasswordFile            = 'A file whose first line is the audit login''s password. Without it or -AuditPasswordVariable, .pgpass (or PGPASSWORD) applies.'
        AuditPasswordVariable        = 'The environment variable that holds the audit login''s password (the name is stored).'
        Default                      = 'Make it the default repository: the one the shippyar-dr CLI uses without --repository.'
        Scope                        = 'User (default): your own file, mode 0600. Machine: /etc/shippyar/repositories.json, mode 0640 with group postgres (archive_command runs as postgres). With SHIPPYAR_CONFIG set, its file is written either way; Machine makes it 0640 with group postgres.'
        Force                        = 'Replace a registration of the same name in that scope.'
    }
    Examples    = @(
        @{
            Title   = 'An S3 repository for archive_command and the nightly backups, machine-wide'
            Code    = 'Register-ShippyarRepository -Name prod -Location s3://dr-backups/pg -S3Endpoint https://minio.example:9000 -S3Profile shippyar `
    -Recipient dr@shippyar.example -RecipientKeyFile /etc/shippyar/dr.asc -SigningKeyFile /etc/shippyar/host.sec.asc -Default -Scope Machine'
            Remarks = 'Writes /etc/shippyar/repositories.json (root:postgres 0640). Backups into prod are then encrypted to the DR team and signed by the host: Invoke-ShippyarBackup -Database shippyar_prod -Repository prod.'
        }
        @{
            Title   = 'A local repository, encrypted with a passphrase from a file'
            Code    = 'Register-ShippyarRepository local /var/backups/pg -PassphraseFile /etc/shippyar/local.pass'
            Remarks = 'Get-ShippyarBackup -Repository local | Test-ShippyarBackup reads the passphrase from the file on its own.'
        }
        @{
            Title   = 'On the DR host: the same bucket, with the keys that read it'
            Code    = 'Register-ShippyarRepository prod s3://dr-backups/pg -S3AccessKeyVariable DR_S3_KEY -S3SecretKeyVariable DR_S3_SECRET -SecretKeyFile ~/dr.sec.asc -SignerKeyFile ~/host.asc'
            Remarks = 'Stores the variable names, never their values; Restore-ShippyarDatabase -Repository prod -Id ... decrypts and checks the signature with the registered keys.'
        }
        @{
            Title   = 'Audit every operation on a repository in a catalog database'
            Code    = 'Register-ShippyarRepository prod /srv/backups/pg -AuditServer dba01:5432 -AuditDatabase dr_catalog -AuditUser shippyar_audit -AuditPasswordFile /etc/shippyar/audit.pass -Force'
            Remarks = 'Backups, verifications and restores through prod then write one row each into dr_catalog.shippyar_catalog.backup_audit; Get-ShippyarAuditLog -Repository prod reads them.'
        }
        @{
            Title   = 'A repository with its own retention'
            Code    = 'Register-ShippyarRepository local /var/backups/pg -RetentionPolicy @{ Daily = @{ KeepDays = 30; KeepMonthly = 12 }; WalDays = 14 }'
            Remarks = 'Invoke-ShippyarRetention -Repository local then keeps Daily backups 30 days plus the newest of each of the last 12 months, and 14 days of WAL.'
        }
    )
    Notes       = 'Unregister-ShippyarRepository removes a registration; Get-ShippyarRepository lists them. The CLI (shippyar-dr) reads the same files.'
    RelatedLinks = @('Get-ShippyarRepository', 'Unregister-ShippyarRepository', 'Invoke-ShippyarBackup')
}
