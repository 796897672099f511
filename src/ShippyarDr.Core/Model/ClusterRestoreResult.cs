namespace ShippyarDr;

/// <summary>What Restore-ShippyarCluster did: the globals (roles, tablespaces) and each database.</summary>
public sealed class ClusterRestoreResult
{
    public string BackupId { get; set; } = "";
    public string Server { get; set; } = "";
    public bool GlobalsRestored { get; set; }
    /// <summary>Statements of the globals script that failed harmlessly (the connecting role already exists…).</summary>
    public List<string> GlobalsNotices { get; set; } = new();
    public List<RestoreResult> Databases { get; set; } = new();
    public DateTimeOffset StartTime { get; set; }
    public TimeSpan Duration { get; set; }
    public bool Passed => Databases.Count > 0 && Databases.All(d => d.Passed);
    public long TotalRows => Databases.Sum(d => d.Tables.Sum(t => t.RestoredRows));
}
