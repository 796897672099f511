namespace ShippyarDr;

/// <summary>
/// A backup folder with data but no manifest: a backup still being written, or one a failed or killed run left.
/// The lease (when the run wrote one) says which host and process were writing it.
/// </summary>
public sealed class IncompleteBackup
{
    public string Repository { get; set; } = "";
    public string Id { get; set; } = "";
    /// <summary>The database, or "_cluster" for a cluster backup.</summary>
    public string Database { get; set; } = "";
    /// <summary>From the id's tier letter; null when it names no tier this version knows.</summary>
    public BackupTier? Tier { get; set; }
    public bool IsCluster { get; set; }
    /// <summary>When the backup started (from its id).</summary>
    public DateTimeOffset? StartTime { get; set; }
    public int FileCount { get; set; }
    /// <summary>The writer's host and process id, from its lease; null when it left none.</summary>
    public string? Host { get; set; }
    public int? ProcessId { get; set; }
    /// <summary>The backup's folder in the repository.</summary>
    public string Prefix { get; set; } = "";
    public override string ToString() => $"{Database}/{Id}";
}
