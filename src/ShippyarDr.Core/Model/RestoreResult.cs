namespace ShippyarDr;

/// <summary>What Restore-ShippyarDatabase did and what it found in the restored database.</summary>
public sealed class RestoreResult
{
    public string BackupId { get; set; } = "";
    public string SourceDatabase { get; set; } = "";
    public string TargetDatabase { get; set; } = "";
    public string Server { get; set; } = "";
    /// <summary>True when an existing database was replaced.</summary>
    public bool ReplacedExisting { get; set; }
    /// <summary>The backup taken of the target before it was replaced.</summary>
    public string? SafetyBackupId { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public TimeSpan Duration { get; set; }
    public TimeSpan RestoreDuration { get; set; }
    public List<TableRestoreCheck> Tables { get; set; } = new();
    public bool Passed => Tables.All(t => t.RowsMatch);
    public DateTimeOffset? LatestCreatedAt => Tables.Max(t => t.LatestCreatedAt);
}
