namespace ShippyarDr;

/// <summary>What Enable-/Disable-ShippyarWalArchiving set on a server, and what it proved.</summary>
public sealed class WalArchivingState
{
    public string Server { get; set; } = "";
    /// <summary>archive_mode as set (it takes effect at the next restart when RestartRequired).</summary>
    public string ArchiveMode { get; set; } = "";
    public string ArchiveCommand { get; set; } = "";
    public TimeSpan ArchiveTimeout { get; set; }
    /// <summary>archive_mode changes only with a restart of the server.</summary>
    public bool RestartRequired { get; set; }
    /// <summary>The segment switched to and archived to prove the command works end to end; null when not proven (restart pending).</summary>
    public string? TestSegment { get; set; }
    public bool TestSegmentArchived { get; set; }
    public string Detail { get; set; } = "";
    /// <summary>The server's timeline (after a recovery, 2 or more).</summary>
    public uint Timeline { get; set; }
    /// <summary>Timeline history files the archive lacked and that were pushed from the data directory (a recovered server ran with archiving off).</summary>
    public List<string> HistoryPushed { get; set; } = new();
    /// <summary>History files the archive still lacks (the data directory is not on this host): push them with shippyar-dr wal-push.</summary>
    public List<string> HistoryMissing { get; set; } = new();
    /// <summary>
    /// The first segment of this timeline the archive lacks and PostgreSQL will not archive (written while archiving was
    /// off): no recovery from the archive can replay across it, so a new base backup is needed. Null when the archive is whole.
    /// </summary>
    public string? UnarchivedFrom { get; set; }
    public bool BaseBackupRequired => UnarchivedFrom is not null;
}
