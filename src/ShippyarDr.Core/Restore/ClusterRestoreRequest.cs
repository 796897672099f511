using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Authentication;

namespace ShippyarDr.Restore;

/// <summary>What Restore-ShippyarCluster asks the engine for.</summary>
public sealed class ClusterRestoreRequest
{
    public required BackupInfo Backup { get; init; }
    /// <summary>The server to restore into: an empty cluster, or another server.</summary>
    public required PgConnectionInfo Connection { get; init; }
    /// <summary>Decryption, authentication and signing keys, as for a database restore.</summary>
    public BackupKeys Keys { get; init; } = BackupKeys.None;
    /// <summary>Only these databases (all when empty).</summary>
    public IReadOnlyList<string> Databases { get; init; } = Array.Empty<string>();
    public bool SkipGlobals { get; init; }
    /// <summary>Databases that already exist (other than an empty postgres) may be replaced, after safety backups.</summary>
    public bool ReplaceExisting { get; init; }
    /// <summary>A postgres database that is not empty may be replaced too (an empty one always may).</summary>
    public bool ReplacePostgresDatabase { get; init; }
    /// <summary>How long each safety backup's pg_dump waits for a table's lock (zero: no limit).</summary>
    public TimeSpan SafetyLockWaitTimeout { get; init; } = BackupRequest.DefaultLockWaitTimeout;
}
