namespace ShippyarDr;

/// <summary>
/// What a repository's WAL archive of one cluster holds, per timeline: the segments (as ranges), the gaps between them,
/// the history, backup and .partial files, and the newest archived segment.
/// </summary>
public sealed class WalArchiveInfo
{
    public string Repository { get; init; } = "";
    public string SystemIdentifier { get; init; } = "";
    public int PostgresMajorVersion { get; init; }
    public int WalSegmentSize { get; init; }
    public bool Sealed { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public List<WalTimelineInfo> Timelines { get; init; } = new();
    /// <summary>The newest segment of the newest timeline, and when it was archived (from its manifest): the data-loss exposure is the time since.</summary>
    public string? NewestSegment { get; init; }
    public DateTimeOffset? NewestArchivedAt { get; init; }
    /// <summary>Names archived more than once with different content: a fetch of them fails until one is removed.</summary>
    public List<string> Conflicts { get; init; } = new();
    /// <summary>Data objects no manifest names (a push that died between its data and its manifest): not part of the archive.</summary>
    public int UnreferencedObjects { get; init; }
    public int SegmentCount => Timelines.Sum(t => t.SegmentCount);
    public int GapCount => Timelines.Sum(t => t.Gaps.Count);

    /// <summary>
    /// The segments missing on one timeline from <paramref name="firstSegment"/> to <paramref name="lastSegment"/>
    /// (24-hex-digit names, both included): what a recovery between them would lack. Empty when all are archived.
    /// </summary>
    public IReadOnlyList<WalGap> MissingBetween(uint timeline, string firstSegment, string lastSegment)
        => Wal.WalChain.Missing(Timelines.FirstOrDefault(t => t.Timeline == timeline)?.Ranges ?? new List<WalRange>(), timeline,
            firstSegment, lastSegment, WalSegmentSize);
}

/// <summary>One timeline of an archive.</summary>
public sealed class WalTimelineInfo
{
    public uint Timeline { get; init; }
    /// <summary>The timeline's history file is archived (every timeline after the first has one).</summary>
    public bool HasHistoryFile { get; init; }
    public string? OldestSegment { get; init; }
    public string? NewestSegment { get; init; }
    public int SegmentCount { get; init; }
    /// <summary>Runs of consecutive archived segments, oldest first.</summary>
    public List<WalRange> Ranges { get; init; } = new();
    /// <summary>Missing segments between the oldest and the newest archived one.</summary>
    public List<WalGap> Gaps { get; init; } = new();
    public List<string> PartialFiles { get; init; } = new();
    public List<string> BackupFiles { get; init; } = new();

    public override string ToString() => OldestSegment is null ? $"timeline {Timeline}: no segments"
        : $"timeline {Timeline}: {OldestSegment}..{NewestSegment} ({SegmentCount} segments, {Gaps.Count} gaps)";
}

/// <summary>Consecutive archived segments, both ends included.</summary>
public sealed record WalRange(string FirstSegment, string LastSegment, int Count);

/// <summary>Consecutive missing segments on a timeline, both ends included.</summary>
public sealed record WalGap(uint Timeline, string FirstMissing, string LastMissing, ulong MissingCount)
{
    public override string ToString() => MissingCount == 1 ? FirstMissing : $"{FirstMissing}..{LastMissing} ({MissingCount})";
}
