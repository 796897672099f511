namespace ShippyarDr;

/// <summary>The outcome of verifying one backup. A failed check is Passed = false, never an exception.</summary>
public sealed class VerificationResult
{
    public string BackupId { get; set; } = "";
    public string Database { get; set; } = "";
    public string Repository { get; set; } = "";
    public VerificationLevel Level { get; set; }
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);
    public List<VerificationCheck> Checks { get; set; } = new();
    public int FailedCount => Checks.Count(c => !c.Passed);
    public DateTimeOffset StartTime { get; set; }
    public TimeSpan Duration { get; set; }
    /// <summary>Time pg_restore took into the scratch database (Restore level), or for a base backup the restore of its files
    /// and the start to consistency: a measured RTO for this backup.</summary>
    public TimeSpan? RestoreDuration { get; set; }
    /// <summary>Where the scratch restore ran (host:port).</summary>
    public string? Server { get; set; }
    public string? ScratchDatabase { get; set; }
    /// <summary>Base backups (Restore level): the scratch data directory the backup was restored into (removed at the end).</summary>
    public string? ScratchDataDirectory { get; set; }
    /// <summary>How the manifest's authenticity was established (also the first check, "Authenticity").</summary>
    public AuthenticityResult? Authenticity { get; set; }
    /// <summary>The manifest was proven authentic (a signature or MAC verified), not merely accepted.</summary>
    public bool Authenticated => Authenticity?.Authenticated == true;
}
