using ShippyarDr.Diagnostics;

namespace ShippyarDr.Cli;

/// <summary>
/// What shippyar-dr exits with. PostgreSQL reads 0 as "done"; any other code up to 125 as a failure it retries
/// (archive_command) or as "not available" (restore_command); a signal or a code above 125 as fatal (the archiver
/// dies, recovery aborts), so no code here is above 125 and every failure is caught before the runtime could abort.
/// </summary>
public static class ExitCodes
{
    /// <summary>wal-push: the file is durably archived. wal-fetch: the file is at the destination, checked.</summary>
    public const int Success = 0;
    /// <summary>wal-fetch: the archive does not hold the file (PostgreSQL asks for files that do not exist).</summary>
    public const int NotInArchive = 1;
    /// <summary>The command line is wrong: an unknown command or option, a missing argument.</summary>
    public const int Usage = 2;
    /// <summary>A setting is wrong: repository location, S3 options, key or passphrase sources, or the configuration of named
    /// repositories (an unknown name, no default, a relative path, a file others may write or that cannot be read or parsed).</summary>
    public const int Configuration = 3;
    /// <summary>The archive is not this cluster's (system identifier, major version, segment size), or the repository holds none of it, or the working directory is not a data directory.</summary>
    public const int ArchiveMismatch = 4;
    /// <summary>wal-push: the name is archived already with other content (never overwritten); wal-fetch: archived twice with different content.</summary>
    public const int Duplicate = 5;
    /// <summary>The repository cannot be reached, timed out, refused access, or does not exist.</summary>
    public const int RepositoryUnavailable = 6;
    /// <summary>What the archive holds failed a check: not authentic, damaged, or not decryptable with the keys given.</summary>
    public const int Refused = 7;
    /// <summary>A local file cannot be read or written (the WAL file to push, the destination, the spool).</summary>
    public const int LocalFile = 8;
    /// <summary>Asynchronous wal-push: the background pusher did not confirm the file within the timeout (it keeps trying; PostgreSQL asks again).</summary>
    public const int AsyncTimeout = 9;
    /// <summary>A failure nobody named: a bug. The message says what happened.</summary>
    public const int Unexpected = 10;
    /// <summary>Stopped by SIGTERM or SIGINT (a server shutdown): nothing was published half-way.</summary>
    public const int Interrupted = 11;

    public static int For(ShippyarException e) => e.ErrorId switch
    {
        ErrorIds.WalArchiveMismatch or ErrorIds.WalArchiveNotFound or ErrorIds.NotADataDirectory or ErrorIds.WalSegmentInvalid
            or ErrorIds.RepositoryFormatTooNew or ErrorIds.WalSegmentSizeUnknown => ArchiveMismatch,
        ErrorIds.WalDuplicateDiffers or ErrorIds.WalDuplicateConflict => Duplicate,
        ErrorIds.RepositoryUnreachable or ErrorIds.RepositoryTimeout or ErrorIds.RepositoryAccessDenied or ErrorIds.RepositoryNotFound
            or ErrorIds.S3UploadFailed or ErrorIds.RepositoryIOError or ErrorIds.RepositoryWriteFailed => RepositoryUnavailable,
        ErrorIds.WalNotAuthentic or ErrorIds.WalFileCorrupt or ErrorIds.WalManifestInvalid or ErrorIds.WalArchiveRecordCorrupt or ErrorIds.BackupCorrupt
            or ErrorIds.S3ObjectCorrupted or ErrorIds.DecryptionKeyWrong or ErrorIds.EncryptedDataTampered
            or ErrorIds.CompressedDataCorrupt or ErrorIds.ObjectTooLarge => Refused,
        ErrorIds.WalSourceNotFound or ErrorIds.WalSourceChanged or ErrorIds.PgControlUnreadable or ErrorIds.WalSpoolInvalid => LocalFile,
        ErrorIds.WalAsyncTimeout => AsyncTimeout,
        ErrorIds.RepositoryNameUnknown or ErrorIds.RepositoryNameInvalid or ErrorIds.NoDefaultRepository or ErrorIds.RepositoryPathRelative
            or ErrorIds.ConfigurationInvalid or ErrorIds.ConfigurationInsecure or ErrorIds.ConfigurationUnreadable or ErrorIds.SecretNotAllowed
            or ErrorIds.InvalidSecretReference or ErrorIds.PathNotAbsolute or ErrorIds.S3ProfileNotFound or ErrorIds.RegisteredSettingsConflict => Configuration,
        ErrorIds.InvalidWalFileName => Usage,
        ErrorIds.UnexpectedError => Unexpected,
        _ => e.Kind switch
        {
            ShippyarErrorKind.InvalidArgument or ShippyarErrorKind.AuthenticationError => Configuration,
            ShippyarErrorKind.ConnectionError or ShippyarErrorKind.ResourceUnavailable => RepositoryUnavailable,
            ShippyarErrorKind.InvalidData => Refused,
            ShippyarErrorKind.PermissionDenied or ShippyarErrorKind.ObjectNotFound or ShippyarErrorKind.WriteError => LocalFile,
            _ => Unexpected,
        },
    };
}
