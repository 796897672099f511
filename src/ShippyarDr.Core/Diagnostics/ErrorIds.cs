namespace ShippyarDr.Diagnostics;

/// <summary>
/// Every ErrorId the engine raises, in one place: scripts match on them (PowerShell's FullyQualifiedErrorId), hosts add
/// their own hints by them (the cmdlets' ErrorHints) and the CLI maps them to exit codes. An id, once shipped, keeps
/// its meaning.
/// </summary>
public static class ErrorIds
{
    // Arguments a host passed on.
    public const string InvalidServer = nameof(InvalidServer);
    public const string InvalidPort = nameof(InvalidPort);
    public const string InvalidConnectionString = nameof(InvalidConnectionString);
    public const string InvalidDatabaseName = nameof(InvalidDatabaseName);
    public const string InvalidRepository = nameof(InvalidRepository);
    public const string UnsupportedRepository = nameof(UnsupportedRepository);
    public const string InvalidS3Url = nameof(InvalidS3Url);
    public const string InvalidS3Endpoint = nameof(InvalidS3Endpoint);
    public const string InvalidS3Options = nameof(InvalidS3Options);
    public const string InvalidCompressionLevel = nameof(InvalidCompressionLevel);
    public const string UnknownCompression = nameof(UnknownCompression);
    public const string CompressionLevelNotApplicable = nameof(CompressionLevelNotApplicable);
    public const string InvalidLockWaitTimeout = nameof(InvalidLockWaitTimeout);
    public const string InvalidScale = nameof(InvalidScale);
    public const string InvalidKey = nameof(InvalidKey);
    public const string InvalidPath = nameof(InvalidPath);
    public const string PathNotFileSystem = nameof(PathNotFileSystem);
    public const string InvalidWildcard = nameof(InvalidWildcard);
    public const string InvalidMaxAge = nameof(InvalidMaxAge);
    public const string InvalidArgumentValue = nameof(InvalidArgumentValue);
    public const string InvalidCheck = nameof(InvalidCheck);
    public const string CheckNeedsRestore = nameof(CheckNeedsRestore);
    public const string CheckpointNotApplicable = nameof(CheckpointNotApplicable);
    public const string RecoveryNeedsBaseBackup = nameof(RecoveryNeedsBaseBackup);
    public const string ArchiveReplayUnavailable = nameof(ArchiveReplayUnavailable);
    public const string DatabaseRequired = nameof(DatabaseRequired);
    public const string DatabaseNotForCluster = nameof(DatabaseNotForCluster);
    public const string SourceDatabaseRequired = nameof(SourceDatabaseRequired);
    public const string ConnectionRequired = nameof(ConnectionRequired);
    public const string ConfirmationRequired = nameof(ConfirmationRequired);

    // Secrets and keys.
    public const string PassphraseAmbiguous = nameof(PassphraseAmbiguous);
    public const string PassphraseVariableEmpty = nameof(PassphraseVariableEmpty);
    public const string PassphraseFileInvalid = nameof(PassphraseFileInvalid);
    /// <summary>Also PassphraseFileIsDirectory, PassphraseFileAccessDenied, PassphraseFileUnreadable (KeyMaterialFile).</summary>
    public const string PassphraseFileNotFound = nameof(PassphraseFileNotFound);
    public const string EmptyPassphrase = nameof(EmptyPassphrase);
    /// <summary>Also KeyFileIsDirectory, KeyFileAccessDenied (KeyMaterialFile).</summary>
    public const string KeyFileNotFound = nameof(KeyFileNotFound);
    public const string KeyFileUnreadable = nameof(KeyFileUnreadable);
    public const string KeyFileWrongKind = nameof(KeyFileWrongKind);
    public const string KeyCannotEncrypt = nameof(KeyCannotEncrypt);
    public const string KeyCannotSign = nameof(KeyCannotSign);
    public const string RecipientNotFound = nameof(RecipientNotFound);
    public const string RecipientKeyFileRequired = nameof(RecipientKeyFileRequired);
    public const string EncryptionAmbiguous = nameof(EncryptionAmbiguous);
    public const string EncryptionRequired = nameof(EncryptionRequired);
    public const string SecretKeyPassphraseWrong = nameof(SecretKeyPassphraseWrong);
    public const string SigningKeyPassphraseWrong = nameof(SigningKeyPassphraseWrong);
    public const string SigningKeyRequired = nameof(SigningKeyRequired);
    public const string DecryptionKeyRequired = nameof(DecryptionKeyRequired);
    public const string DecryptionKeyWrong = nameof(DecryptionKeyWrong);
    public const string SafetyEncryptionUnavailable = nameof(SafetyEncryptionUnavailable);

    // Authenticity and damage.
    public const string BackupNotAuthentic = nameof(BackupNotAuthentic);
    public const string AuthenticationRequired = nameof(AuthenticationRequired);
    public const string UnsealedCopyRefused = nameof(UnsealedCopyRefused);
    public const string BackupCorrupt = nameof(BackupCorrupt);
    public const string CompressedDataCorrupt = nameof(CompressedDataCorrupt);
    public const string EncryptedDataTampered = nameof(EncryptedDataTampered);
    public const string EncryptedDataUnexpected = nameof(EncryptedDataUnexpected);
    public const string NotEncrypted = nameof(NotEncrypted);
    public const string ManifestCorrupt = nameof(ManifestCorrupt);
    public const string ManifestInvalid = nameof(ManifestInvalid);
    public const string DescriptorCorrupt = nameof(DescriptorCorrupt);
    public const string ObjectTooLarge = nameof(ObjectTooLarge);
    public const string GlobalsScriptRefused = nameof(GlobalsScriptRefused);
    public const string NotCustomArchive = nameof(NotCustomArchive);
    public const string UnsupportedArchiveVersion = nameof(UnsupportedArchiveVersion);
    public const string ArchiveTruncated = nameof(ArchiveTruncated);
    public const string ArchiveCorrupt = nameof(ArchiveCorrupt);
    public const string TarCorrupt = nameof(TarCorrupt);
    public const string BackupManifestInvalid = nameof(BackupManifestInvalid);

    // Repositories.
    public const string RepositoryNotFound = nameof(RepositoryNotFound);
    public const string RepositoryNotADirectory = nameof(RepositoryNotADirectory);
    public const string RepositoryFormatTooNew = nameof(RepositoryFormatTooNew);
    public const string RepositoryUnreachable = nameof(RepositoryUnreachable);
    public const string RepositoryTimeout = nameof(RepositoryTimeout);
    public const string RepositoryAccessDenied = nameof(RepositoryAccessDenied);
    public const string RepositoryIOError = nameof(RepositoryIOError);
    public const string RepositoryWriteFailed = nameof(RepositoryWriteFailed);
    public const string S3UploadFailed = nameof(S3UploadFailed);
    public const string S3ObjectCorrupted = nameof(S3ObjectCorrupted);
    public const string ObjectExists = nameof(ObjectExists);
    public const string ObjectArchived = nameof(ObjectArchived);
    /// <summary>The store refused to delete an object under S3 Object Lock retention.</summary>
    public const string ObjectLocked = nameof(ObjectLocked);
    /// <summary>Objects could not be deleted (other than locked ones): the store's per-object errors.</summary>
    public const string RepositoryDeleteFailed = nameof(RepositoryDeleteFailed);
    /// <summary>Object Lock was asked of a repository that cannot lock objects (a directory).</summary>
    public const string ObjectLockNotSupported = nameof(ObjectLockNotSupported);
    /// <summary>The bucket refused locked objects: it was not created with Object Lock enabled.</summary>
    public const string ObjectLockNotEnabled = nameof(ObjectLockNotEnabled);
    public const string InvalidObjectLockDays = nameof(InvalidObjectLockDays);
    /// <summary>A lock mode was given without the number of days to lock for.</summary>
    public const string ObjectLockModeWithoutDays = nameof(ObjectLockModeWithoutDays);
    public const string BackupFileMissing = nameof(BackupFileMissing);
    public const string BackupNotFound = nameof(BackupNotFound);
    public const string BackupIdAmbiguous = nameof(BackupIdAmbiguous);

    // Servers and PostgreSQL tools.
    public const string ServerUnreachable = nameof(ServerUnreachable);
    public const string ConnectionFailed = nameof(ConnectionFailed);
    public const string AuthenticationFailed = nameof(AuthenticationFailed);
    public const string DatabaseNotFound = nameof(DatabaseNotFound);
    public const string PostgresError = nameof(PostgresError);
    public const string NpgsqlError = nameof(NpgsqlError);
    public const string PgToolNotFound = nameof(PgToolNotFound);
    public const string PgToolTooOld = nameof(PgToolTooOld);
    public const string PgToolStartFailed = nameof(PgToolStartFailed);
    public const string PgToolFailed = nameof(PgToolFailed);
    public const string PgDumpFailed = nameof(PgDumpFailed);
    public const string PgDumpAllFailed = nameof(PgDumpAllFailed);
    public const string PgDumpLockTimeout = nameof(PgDumpLockTimeout);
    public const string PgRestoreFailed = nameof(PgRestoreFailed);
    public const string SandboxFailed = nameof(SandboxFailed);
    public const string LibpqNotFound = nameof(LibpqNotFound);
    public const string ReplicationNotAllowed = nameof(ReplicationNotAllowed);
    public const string BaseBackupFailed = nameof(BaseBackupFailed);
    public const string BaseBackupUnsupported = nameof(BaseBackupUnsupported);
    public const string DataChecksumFailure = nameof(DataChecksumFailure);

    // WAL archiving and recovery.
    public const string InvalidRestorePointName = nameof(InvalidRestorePointName);
    public const string RestorePointFailed = nameof(RestorePointFailed);

    // Least-privilege roles.
    /// <summary>A role name that PostgreSQL would refuse or reserve (pg_ prefix, public, over 63 bytes).</summary>
    public const string InvalidRoleName = nameof(InvalidRoleName);
    /// <summary>The server predates pg_read_all_data (PostgreSQL 14).</summary>
    public const string RolesNeedNewerServer = nameof(RolesNeedNewerServer);
    /// <summary>A login to make a member of a role does not exist.</summary>
    public const string RoleNotFound = nameof(RoleNotFound);
    public const string RoleSetupFailed = nameof(RoleSetupFailed);
    public const string ArchivingSettingsFailed = nameof(ArchivingSettingsFailed);
    public const string TestSegmentNotArchived = nameof(TestSegmentNotArchived);
    /// <summary>archive_command has no session: its repository must be a registered name, not a path or URL.</summary>
    public const string ArchivingNeedsRegisteredName = nameof(ArchivingNeedsRegisteredName);
    /// <summary>The server's OS account cannot read or execute what archive_command needs (the CLI, the configuration, key files).</summary>
    public const string ServerAccountCannotAccess = nameof(ServerAccountCannotAccess);
    /// <summary>A timeline history file the archive lacks could not be pushed from the data directory.</summary>
    public const string HistoryPushFailed = nameof(HistoryPushFailed);
    /// <summary>The shippyar-dr executable that archive_command runs is not where the module keeps it.</summary>
    public const string InvalidRecoveryTarget = nameof(InvalidRecoveryTarget);
    public const string RecoveryConfigurationRefused = nameof(RecoveryConfigurationRefused);
    /// <summary>The WAL archive lacks a segment (or history file) a recovery replays; named, and found before anything is restored.</summary>
    public const string WalSegmentMissing = nameof(WalSegmentMissing);
    public const string WalTimelineNotDescendant = nameof(WalTimelineNotDescendant);
    public const string RecoveryTargetBeyondArchive = nameof(RecoveryTargetBeyondArchive);
    public const string RecoveryTargetBeforeBackup = nameof(RecoveryTargetBeforeBackup);
    public const string NoBaseBackupBeforeTarget = nameof(NoBaseBackupBeforeTarget);
    public const string RecoveryBackupAmbiguous = nameof(RecoveryBackupAmbiguous);
    /// <summary>The archive is sealed and the restore_command names no key to read it with.</summary>
    public const string RestoreCommandNeedsKeys = nameof(RestoreCommandNeedsKeys);
    /// <summary>A secret given directly, which a restore_command cannot hold (it is stored in postgresql.auto.conf).</summary>
    public const string RestoreCommandSecret = nameof(RestoreCommandSecret);
    /// <summary>The bundled shippyar-dr executable that restore_command runs is not there.</summary>
    public const string CliNotFound = nameof(CliNotFound);
    public const string MoveAsideFailed = nameof(MoveAsideFailed);
    public const string TablespaceNotInBackup = nameof(TablespaceNotInBackup);

    // The WAL archive.
    public const string InvalidWalFileName = nameof(InvalidWalFileName);
    public const string InvalidWalSegmentSize = nameof(InvalidWalSegmentSize);
    public const string WalSegmentSizeUnknown = nameof(WalSegmentSizeUnknown);
    public const string NotADataDirectory = nameof(NotADataDirectory);
    public const string PgControlUnreadable = nameof(PgControlUnreadable);
    public const string WalSourceNotFound = nameof(WalSourceNotFound);
    public const string WalSourceChanged = nameof(WalSourceChanged);
    public const string WalSegmentInvalid = nameof(WalSegmentInvalid);
    public const string WalArchiveMismatch = nameof(WalArchiveMismatch);
    public const string WalArchiveNotFound = nameof(WalArchiveNotFound);
    public const string WalArchiveRecordCorrupt = nameof(WalArchiveRecordCorrupt);
    /// <summary>A push found the name archived already with other content; it is never overwritten.</summary>
    public const string WalDuplicateDiffers = nameof(WalDuplicateDiffers);
    /// <summary>A fetch found the name archived twice with different content and cannot tell which is right.</summary>
    public const string WalDuplicateConflict = nameof(WalDuplicateConflict);
    public const string WalManifestInvalid = nameof(WalManifestInvalid);
    public const string WalNotAuthentic = nameof(WalNotAuthentic);
    public const string WalFileCorrupt = nameof(WalFileCorrupt);
    public const string WalSpoolInvalid = nameof(WalSpoolInvalid);
    public const string WalAsyncTimeout = nameof(WalAsyncTimeout);
    public const string WalAsyncFailed = nameof(WalAsyncFailed);

    // Restores.
    public const string TargetExists = nameof(TargetExists);
    public const string TargetInUse = nameof(TargetInUse);
    public const string TargetBeingRestored = nameof(TargetBeingRestored);
    public const string TemplateDatabaseTarget = nameof(TemplateDatabaseTarget);
    public const string PostgresDatabaseTarget = nameof(PostgresDatabaseTarget);
    public const string NotAClusterBackup = nameof(NotAClusterBackup);
    public const string NotALogicalBackup = nameof(NotALogicalBackup);
    public const string NotAPhysicalBackup = nameof(NotAPhysicalBackup);
    public const string RestoreTargetNotEmpty = nameof(RestoreTargetNotEmpty);
    public const string DatabaseNotInBackup = nameof(DatabaseNotInBackup);
    public const string RestoreVerificationFailed = nameof(RestoreVerificationFailed);
    public const string GlobalsRestoreFailed = nameof(GlobalsRestoreFailed);
    public const string LeftoverInUse = nameof(LeftoverInUse);
    public const string LeftoverNotFound = nameof(LeftoverNotFound);
    public const string NotALeftover = nameof(NotALeftover);

    // Partial data restores (TableData/).
    public const string TableNotInBackup = nameof(TableNotInBackup);
    public const string TableNameAmbiguous = nameof(TableNameAmbiguous);
    public const string TargetTableNotFound = nameof(TargetTableNotFound);
    public const string TargetTableHasNoPrimaryKey = nameof(TargetTableHasNoPrimaryKey);
    public const string KeyColumnNotInBackup = nameof(KeyColumnNotInBackup);
    public const string TableDataConflict = nameof(TableDataConflict);
    public const string InvalidRowFilter = nameof(InvalidRowFilter);
    public const string TableDataWriteFailed = nameof(TableDataWriteFailed);

    // Data directories and the servers on them (Cluster/).
    public const string ServerAccountUnavailable = nameof(ServerAccountUnavailable);
    public const string ServerStartFailed = nameof(ServerStartFailed);
    public const string ServerStopFailed = nameof(ServerStopFailed);
    public const string ServerWaitTimeout = nameof(ServerWaitTimeout);
    public const string DataDirectoryInUse = nameof(DataDirectoryInUse);

    // Named repositories and their configuration files.
    public const string RepositoryNameUnknown = nameof(RepositoryNameUnknown);
    public const string RepositoryNameInvalid = nameof(RepositoryNameInvalid);
    public const string RepositoryAlreadyRegistered = nameof(RepositoryAlreadyRegistered);
    public const string RepositoryLocationRegistered = nameof(RepositoryLocationRegistered);
    public const string NoDefaultRepository = nameof(NoDefaultRepository);
    /// <summary>A relative path where the working directory is not the user's (archive_command runs in the data directory).</summary>
    public const string RepositoryPathRelative = nameof(RepositoryPathRelative);
    public const string RegisteredSettingsConflict = nameof(RegisteredSettingsConflict);
    public const string ConfigurationInvalid = nameof(ConfigurationInvalid);
    public const string ConfigurationInsecure = nameof(ConfigurationInsecure);
    public const string ConfigurationUnreadable = nameof(ConfigurationUnreadable);
    public const string ConfigurationWriteFailed = nameof(ConfigurationWriteFailed);
    /// <summary>A secret (or what looks like one) where a configuration file holds only references to secrets.</summary>
    public const string SecretNotAllowed = nameof(SecretNotAllowed);
    public const string InvalidSecretReference = nameof(InvalidSecretReference);
    public const string PathNotAbsolute = nameof(PathNotAbsolute);
    public const string S3ProfileNotFound = nameof(S3ProfileNotFound);

    // Retention (Retention/) and verification records.
    public const string RetentionPolicyInvalid = nameof(RetentionPolicyInvalid);
    /// <summary>Another retention run holds the repository's retention lock.</summary>
    public const string RetentionInProgress = nameof(RetentionInProgress);
    /// <summary>Deleting the last complete backup of its tier, or the newest one that passed verification, without force.</summary>
    public const string BackupRemovalRefused = nameof(BackupRemovalRefused);
    /// <summary>S3 Object Lock retention still holds the backup's objects.</summary>
    public const string BackupLocked = nameof(BackupLocked);
    public const string VerificationRecordFailed = nameof(VerificationRecordFailed);

    /// <summary>What a host reports for a failure it cannot name (a bug): never for a known failure.</summary>
    public const string UnexpectedError = nameof(UnexpectedError);

    // The audit trail.
    public const string AuditRecordInvalid = nameof(AuditRecordInvalid);
    public const string AuditCatalogFailed = nameof(AuditCatalogFailed);
}
