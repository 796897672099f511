using ShippyarDr.Authentication;
using ShippyarDr.Cluster;

namespace ShippyarDr.Physical;

/// <summary>What to restore a base backup into: a data directory and a place for each tablespace, all empty or new.</summary>
public sealed class BaseBackupRestoreRequest
{
    public required BackupInfo Backup { get; init; }
    /// <summary>The data directory to create: it must not exist, or be empty.</summary>
    public required string DataDirectory { get; init; }
    /// <summary>Where each tablespace goes, by oid (empty or new directories); one not named goes back where the server had it.
    /// The restored tablespace_map names these places, so the server links pg_tblspc to them when it starts.</summary>
    public IReadOnlyDictionary<uint, string> TablespaceLocations { get; init; } = new Dictionary<uint, string>();
    /// <summary>Decryption keys, and what proves the manifest authentic (it is checked before anything is written).</summary>
    public BackupKeys Keys { get; init; } = BackupKeys.None;
    /// <summary>The OS account that will run the server: the restored files become its own.</summary>
    public ServerAccount Owner { get; init; } = ServerAccount.Default;
}

/// <summary>What a base backup restore wrote.</summary>
public sealed class BaseBackupRestoreResult
{
    public string BackupId { get; init; } = "";
    public string DataDirectory { get; init; } = "";
    /// <summary>Where each tablespace was put, by oid.</summary>
    public IReadOnlyDictionary<uint, string> Tablespaces { get; init; } = new Dictionary<uint, string>();
    public long Files { get; init; }
    public long Bytes { get; init; }
    public TimeSpan Duration { get; init; }
}
