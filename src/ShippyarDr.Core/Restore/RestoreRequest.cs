using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Authentication;

namespace ShippyarDr.Restore;

/// <summary>What Restore-ShippyarDatabase asks the engine for.</summary>
public sealed class RestoreRequest
{
    public required BackupInfo Backup { get; init; }
    public required string TargetDatabase { get; init; }
    /// <summary>Which database of a cluster backup to restore (not needed for single-database backups).</summary>
    public string? SourceDatabase { get; init; }
    public required PgConnectionInfo Connection { get; init; }
    /// <summary>The caller confirmed that an existing target may be replaced (after a safety backup).</summary>
    public bool ReplaceExisting { get; init; }
    /// <summary>The caller explicitly allowed replacing the postgres database (confirming a replacement is not enough).</summary>
    public bool ReplacePostgresDatabase { get; init; }
    /// <summary>Skip ownership and grants (restoring onto a server that lacks the source's roles).</summary>
    public bool NoOwner { get; init; }
    /// <summary>The passphrase or secret key of an encrypted backup, the signers' keys that check its manifest, and the key
    /// that signs the safety backup (encrypted like the backup it protects against).</summary>
    public BackupKeys Keys { get; init; } = BackupKeys.None;
    /// <summary>How long the safety backup's pg_dump waits for each table's lock (zero: no limit).</summary>
    public TimeSpan SafetyLockWaitTimeout { get; init; } = BackupRequest.DefaultLockWaitTimeout;
}
