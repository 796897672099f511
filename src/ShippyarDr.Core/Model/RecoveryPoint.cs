namespace ShippyarDr;

/// <summary>Where a recovery ended, as the server reported it: the timeline it went on with, the last WAL record
/// replayed, the time of the last transaction replayed, and how many archived segments it fetched.</summary>
public sealed class RecoveryPoint
{
    /// <summary>The timeline the promoted server runs on (a new one after a recovery that used the archive).</summary>
    public int? Timeline { get; init; }
    /// <summary>The last WAL record replayed ("redo done at").</summary>
    public string? Lsn { get; init; }
    /// <summary>Commit (or abort) time of the last transaction replayed; null when none was.</summary>
    public DateTimeOffset? LastTransactionTime { get; init; }
    /// <summary>Why replay stopped, as the server said it ("recovery stopping before commit of transaction 741, time …"), or null at the end of the WAL.</summary>
    public string? StoppedBy { get; init; }
    /// <summary>WAL segments restored from the archive (history files not counted).</summary>
    public int SegmentsReplayed { get; init; }
    /// <summary>The newest segment restored from the archive.</summary>
    public string? LastSegment { get; init; }

    public override string ToString()
        => $"timeline {Timeline?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, LSN {Lsn ?? "?"}, last transaction {LastTransactionTime?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, {SegmentsReplayed} archived segment(s) replayed";
}
