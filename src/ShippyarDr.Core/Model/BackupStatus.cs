namespace ShippyarDr;

/// <summary>The backup health of one database and tier in a repository.</summary>
public sealed class BackupStatus
{
    public string Database { get; set; } = "";
    public BackupTier Tier { get; set; }
    public string Repository { get; set; } = "";
    public BackupHealth Status { get; set; }
    public string Reason { get; set; } = "";
    public string? LastBackupId { get; set; }
    public DateTimeOffset? LastBackup { get; set; }
    public TimeSpan? Age { get; set; }
    public long? LastSize { get; set; }
    /// <summary>Median size of the backups before the last one: the yardstick for a truncated backup.</summary>
    public long? MedianSize { get; set; }
    public int BackupCount { get; set; }
    /// <summary>Backup directories with data but no manifest: interrupted or still running.</summary>
    public int IncompleteCount { get; set; }
    /// <summary>Backups whose manifest exists but cannot be used (corrupt, or not matching its place): each is an Alert.</summary>
    public int UnreadableCount { get; set; }
    /// <summary>Databases killed restores or verifications of this database left on the server given (no run owns them).</summary>
    public int LeftoverCount { get; set; }
}
