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
}
