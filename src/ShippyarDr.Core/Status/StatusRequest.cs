namespace ShippyarDr.Status;

/// <summary>What Get-ShippyarBackupStatus asks: which databases, and what counts as too old.</summary>
public sealed class StatusRequest
{
    /// <summary>Databases that must have backups; an empty list means every database found in the repository.</summary>
    public IReadOnlyList<string> Databases { get; init; } = Array.Empty<string>();
    /// <summary>How old the newest backup may be; null: each tier's own (Daily 26h, Weekly 7 days + 2h, Base 26h).</summary>
    public TimeSpan? MaxAge { get; init; }
    /// <summary>A backup smaller than this fraction of the median of the previous ones is suspect.</summary>
    public double MinimumSizeRatio { get; init; } = 0.5;
    /// <summary>How many previous backups make the median.</summary>
    public int History { get; init; } = 14;
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>What runs left on a server (staging, scratch, replaced databases); those no live run owns are reported on
    /// the row of the database they belong to.</summary>
    public IReadOnlyList<Leftover> Leftovers { get; init; } = Array.Empty<Leftover>();
}
