using ShippyarDr.Authentication;
using ShippyarDr.Cluster;

namespace ShippyarDr.Recovery;

/// <summary>What a point-in-time recovery restores, where, to which point, and whether it starts the server.</summary>
public sealed class PointInTimeRestoreRequest
{
    public required RecoveryTarget Target { get; init; }
    /// <summary>The base backup to start from; null: the newest one of the archive's cluster that ends before the target.</summary>
    public string? BackupId { get; init; }
    /// <summary>The data directory to restore into: new, empty, or (with <see cref="MoveAsideExisting"/>) one whose contents are moved aside.</summary>
    public required string DataDirectory { get; init; }
    /// <summary>Where each tablespace goes, by oid ("16384") or name; one not named goes back where the server had it,
    /// which must then be empty or absent (it is never moved aside: a running server may be using it).</summary>
    public IReadOnlyDictionary<string, string> TablespaceLocations { get; init; } = new Dictionary<string, string>();
    /// <summary>Keys for the base backup and the archive's history files (decryption, authenticity).</summary>
    public BackupKeys Keys { get; init; } = BackupKeys.None;
    /// <summary>How the recovered server fetches WAL: it names keys by reference only.</summary>
    public required RestoreCommandLine RestoreCommand { get; init; }
    /// <summary>The OS account that runs the server: the restored files become its own.</summary>
    public ServerAccount Owner { get; init; } = ServerAccount.Default;
    /// <summary>A data directory (or a tablespace place given in <see cref="TablespaceLocations"/>) that is not empty is renamed to a sibling "&lt;dir&gt;.shippyar-&lt;time&gt;" first; without this it is refused.</summary>
    public bool MoveAsideExisting { get; init; }
    /// <summary>Start the server, wait for the recovery to end and report the point reached.</summary>
    public bool Start { get; init; }
    /// <summary>The port to start on; null: a free loopback port.</summary>
    public int? Port { get; init; }
    /// <summary>Where the server's socket goes; null: what the restored configuration says.</summary>
    public string? SocketDirectory { get; init; }
    /// <summary>Prefetch WAL while the server replays (wal-fetch --async through <see cref="FetchSpool"/> beside the data directory).</summary>
    public bool Prefetch { get; init; } = true;
    /// <summary>How long the replay may take before the wait gives up (the server goes on replaying). Two hours.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromHours(2);
}
