namespace ShippyarDr;

/// <summary>
/// What Get-ShippyarWalArchive reports for one cluster's archive in a repository: per timeline the oldest and newest
/// archived segment and the gaps, the data-loss exposure (time since the newest segment was archived), and with a
/// connection to that cluster's server its pg_stat_archiver figures.
/// </summary>
public sealed class WalArchiveStatus
{
    public string Repository { get; init; } = "";
    public string SystemIdentifier { get; init; } = "";
    public int PostgresMajorVersion { get; init; }
    public List<WalTimelineInfo> Timelines { get; init; } = new();
    /// <summary>The oldest segment of the oldest timeline and the newest of the newest.</summary>
    public string? OldestSegment { get; init; }
    public string? NewestSegment { get; init; }
    public DateTimeOffset? NewestArchivedAt { get; init; }
    public int SegmentCount { get; init; }
    /// <summary>Every missing range, on every timeline.</summary>
    public List<WalGap> Gaps { get; init; } = new();
    /// <summary>Time since the newest segment was archived: what a lost server would lose at most, had it written since; null when nothing is archived.</summary>
    public TimeSpan? Exposure { get; init; }
    /// <summary>Names archived twice with different content.</summary>
    public List<string> Conflicts { get; init; } = new();
    public int UnreferencedObjects { get; init; }
    /// <summary>The server connected to (whose archive this is); null without a connection.</summary>
    public string? Server { get; init; }
    /// <summary>pg_stat_archiver and pg_wal of that server; null without a connection.</summary>
    public ArchiverStatus? Archiver { get; init; }
    /// <summary>The full scan (ranges, history, backup and partial files).</summary>
    public WalArchiveInfo Archive { get; init; } = new();
}
