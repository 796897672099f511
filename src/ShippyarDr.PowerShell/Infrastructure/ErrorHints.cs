using ShippyarDr.Diagnostics;
namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>What a PowerShell user can do about an engine error: the engine's messages do not name parameters.</summary>
internal static class ErrorHints
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        [ErrorIds.PostgresDatabaseTarget] = "Add -Force to replace the postgres database (a safety backup is still taken); -Confirm:$false alone does not.",
        [ErrorIds.LeftoverInUse] = "Run Get-ShippyarLeftover again once the run is over or the sessions are gone.",
        [ErrorIds.TargetExists] = "Add -Force (or answer the confirmation) to replace it.",
        [ErrorIds.NotAClusterBackup] = "Use Restore-ShippyarDatabase.",
        [ErrorIds.AuthenticationFailed] = "Give -Credential, or set PGPASSWORD or ~/.pgpass.",
        [ErrorIds.SigningKeyRequired] = "Give -SigningKeyFile (for a restore, a -SecretKeyFile key that can sign also does).",
        [ErrorIds.AuthenticationRequired] = "Give -SigningKeyFile, or encrypt with -Passphrase, -PassphraseFile or -PassphraseVariable.",
        [ErrorIds.DatabaseNotForCluster] = "Omit -Database: the cluster is reached through postgres.",
        [ErrorIds.DatabaseRequired] = "Give -Database (or pipe database names).",
        [ErrorIds.CompressionLevelNotApplicable] = "Omit -CompressionLevel with -Compression none.",
        [ErrorIds.RecipientKeyFileRequired] = "Give -RecipientKeyFile with -Recipient.",
        [ErrorIds.CheckpointNotApplicable] = "Omit -Checkpoint, or use it with -Tier Base.",
        [ErrorIds.ObjectLockNotSupported] = "-ObjectLockDays needs every -Repository to be an S3 bucket with Object Lock enabled: back up into the locked bucket alone, then Copy-ShippyarBackup it to the directory (the copy there is not locked).",
        [ErrorIds.ObjectLockNotEnabled] = "Back up into a bucket with Object Lock enabled, or omit -ObjectLockDays.",
        [ErrorIds.ObjectLockModeWithoutDays] = "Give -ObjectLockDays with -ObjectLockMode.",
        [ErrorIds.ObjectLocked] = "The objects can be deleted once the time given has passed; Get-ShippyarBackup shows each backup's ObjectLockUntil.",
        [ErrorIds.RecoveryNeedsBaseBackup] = "Use -Level Restore for Daily and Weekly backups.",
        [ErrorIds.ArchiveReplayUnavailable] = "Use -Level Restore: it replays the base backup's own WAL.",
        [ErrorIds.RestoreCommandSecret] = "Give -PassphraseFile or -PassphraseVariable (and the S3 credentials through the AWS default chain), or a repository registered with Register-ShippyarRepository.",
        [ErrorIds.RestoreCommandNeedsKeys] = "Give -PassphraseFile, -PassphraseVariable, -SecretKeyFile or -SignerKeyFile, or a registered repository (Register-ShippyarRepository).",
        [ErrorIds.WalSegmentMissing] = "Get-ShippyarWalArchive shows the archive's gaps. Recover to a point before the gap (-TargetTime, -TargetLsn), or from a base backup taken after it (-BackupId). A recovered server's missing .history file: Enable-ShippyarWalArchiving on that server archives it.",
        [ErrorIds.RecoveryTargetBeyondArchive] = "Use -Latest to recover everything the archive holds.",
        [ErrorIds.RecoveryTargetBeforeBackup] = "Omit -BackupId to start from the newest base backup before the target.",
        [ErrorIds.NoBaseBackupBeforeTarget] = "Get-ShippyarBackup -Tier Base lists the base backups; take one with Invoke-ShippyarBackup -Tier Base.",
        [ErrorIds.RecoveryBackupAmbiguous] = "Give -BackupId (Get-ShippyarBackup -Tier Base lists them with their clusters).",
        [ErrorIds.DataDirectoryInUse] = "Stop that server first (pg_ctl stop), or restore into another -DataDirectory.",
        [ErrorIds.MoveAsideFailed] = "Move the directory's contents away yourself, then run Restore-ShippyarCluster again.",
        [ErrorIds.ReplicationNotAllowed] = "Connect as a role with REPLICATION (ALTER ROLE name REPLICATION) that a 'host replication' line of pg_hba.conf admits.",
        [ErrorIds.NotALogicalBackup] = "Test it with Test-ShippyarBackup -Level Restore; point-in-time recovery restores base backups.",
        [ErrorIds.RepositoryNameUnknown] = "Get-ShippyarRepository lists the registered repositories; Register-ShippyarRepository adds one.",
        [ErrorIds.RepositoryAlreadyRegistered] = "Add -Force to replace the registration, or Unregister-ShippyarRepository it first.",
        [ErrorIds.NoDefaultRepository] = "Register one with Register-ShippyarRepository -Default.",
        [ErrorIds.RegisteredSettingsConflict] = "Run Invoke-ShippyarBackup once per repository, or give this backup its own encryption (-Passphrase, -PassphraseFile, -PassphraseVariable or -Recipient) and -SigningKeyFile.",
        [ErrorIds.SecretNotAllowed] = "Register-ShippyarRepository takes -PassphraseFile/-PassphraseVariable, -S3Profile or -S3AccessKeyVariable/-S3SecretKeyVariable instead.",
        [ErrorIds.HistoryPushFailed] = "Nothing was changed on the server. The server's OS account must be able to write into the repository, as archive_command will; after fixing that, run Enable-ShippyarWalArchiving again, or push the file yourself: in the data directory, as that account, shippyar-dr wal-push pg_wal/<file> --repository <name>.",
        [ErrorIds.BackupRemovalRefused] = "Add -Force to remove it anyway (never a backup under S3 Object Lock); Invoke-ShippyarRetention -WhatIf shows what retention keeps and why.",
        [ErrorIds.RetentionInProgress] = "Run it again when the other Invoke-ShippyarRetention or Remove-ShippyarBackup has finished.",
        [ErrorIds.BackupLocked] = "Invoke-ShippyarRetention removes it once the lock has expired (its decision says when).",
        [ErrorIds.ArchivingNeedsRegisteredName] = "Register-ShippyarRepository -Name <name> -Location <path or URL> -Scope Machine, then Enable-ShippyarWalArchiving -Repository <name>.",
        [ErrorIds.ServerAccountCannotAccess] = "Register the repository with -Scope Machine (its file is readable by group postgres), and give the server's account read access to the key files (chown/chmod, or ACLs); the module folder must be readable and traversable by it.",
        [ErrorIds.CliNotFound] = "Reinstall the ShippyarDr module (or run build.ps1 -Task Build): its bin/ folder holds shippyar-dr.",
        [ErrorIds.TestSegmentNotArchived] = "The server's log has the command's output; Get-ShippyarWalArchive -Repository <name> -Server <server> shows the archiver's failures.",
        [ErrorIds.TargetTableHasNoPrimaryKey] = "Use -OnConflict Error (every selected row is inserted, and a unique violation fails the whole restore), or add a primary key to the target's table.",
        [ErrorIds.TableDataConflict] = "-OnConflict DoNothing keeps the target's rows, -OnConflict Update overwrites them with the backup's; -WhatIf shows the counts first.",
        [ErrorIds.InvalidRowFilter] = "-Where is one SQL condition on the table's columns, e.g. \"created_at >= '2024-01-15' AND created_at < '2024-01-16'\"; it runs in the scratch copy, which holds only the tables named by -Table.",
        [ErrorIds.TableNotInBackup] = "Get-ShippyarBackup shows each backup's Tables; name one as schema.table when several schemas have it.",
        [ErrorIds.BackupNotAuthentic] = "Give the signers' public keys with -SignerKeyFile (or the passphrase); -AllowUnauthenticated accepts a backup that is not sealed.",
    };

    public static string? For(string errorId) => Hints.GetValueOrDefault(errorId);
}
