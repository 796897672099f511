using System.Globalization;
using System.Text.RegularExpressions;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal;

/// <summary>
/// A file name PostgreSQL archives: a segment "TTTTTTTTLLLLLLLLSSSSSSSS" (timeline, log, segment within the log, in
/// upper-case hex), "….partial", "TTTTTTTT.history", or "…segment.OOOOOOOO.backup". Names order as WAL does: by
/// timeline, then position; a timeline's history file first. Segment numbers depend on wal_segment_size: a log holds
/// 4 GiB / wal_segment_size segments (256 of 16 MiB).
/// </summary>
public sealed partial record WalFileName : IComparable<WalFileName>
{
    private WalFileName(string name, WalFileKind kind, uint timeline, uint log, uint segment)
        => (Name, Kind, Timeline, Log, Segment) = (name, kind, timeline, log, segment);

    /// <summary>The name as PostgreSQL writes it.</summary>
    public string Name { get; }
    public WalFileKind Kind { get; }
    public uint Timeline { get; }
    /// <summary>The high 32 bits of the position (the "log"); 0 for a history file.</summary>
    public uint Log { get; }
    /// <summary>The segment within its log; 0 for a history file.</summary>
    public uint Segment { get; }

    /// <summary>The 24-hex-digit segment name this file belongs to (null for a history file).</summary>
    public string? SegmentName => Kind == WalFileKind.History ? null : Format(Timeline, Log, Segment);

    public bool IsSegment => Kind == WalFileKind.Segment;

    public static WalFileName? TryParse(string? name)
    {
        if (name is null) return null;
        var m = Shape().Match(name);
        if (!m.Success) return null;
        if (m.Groups["htl"].Success)
        {
            var htl = Hex(m.Groups["htl"].Value);
            return htl == 0 ? null : new WalFileName(name, WalFileKind.History, htl, 0, 0);
        }
        var (tl, log, seg) = (Hex(m.Groups["tl"].Value), Hex(m.Groups["log"].Value), Hex(m.Groups["seg"].Value));
        if (tl == 0) return null;
        var kind = m.Groups["partial"].Success ? WalFileKind.Partial : m.Groups["backup"].Success ? WalFileKind.BackupLabel : WalFileKind.Segment;
        return new WalFileName(name, kind, tl, log, seg);
    }

    public static WalFileName Parse(string name) => TryParse(name)
        ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidWalFileName,
            $"'{name}' is not the name of a file PostgreSQL archives (a 24-hex-digit segment, '….partial', 'TTTTTTTT.history' or '….backup').", name);

    /// <summary>Segments in one log: 4 GiB / wal_segment_size.</summary>
    public static ulong SegmentsPerLog(int walSegmentSize) => 0x1_0000_0000UL / (ulong)CheckSize(walSegmentSize);

    /// <summary>The position of this file's segment in the WAL stream (PostgreSQL's XLogSegNo).</summary>
    public ulong SegmentNumber(int walSegmentSize) => Log * SegmentsPerLog(walSegmentSize) + Segment;

    /// <summary>The segment with number <paramref name="segmentNumber"/> on a timeline.</summary>
    public static WalFileName ForSegment(uint timeline, ulong segmentNumber, int walSegmentSize)
    {
        var perLog = SegmentsPerLog(walSegmentSize);
        var name = Format(timeline, (uint)(segmentNumber / perLog), (uint)(segmentNumber % perLog));
        return TryParse(name)!;
    }

    /// <summary>The segment holding a WAL position (an LSN such as pg_backup_start returns).</summary>
    public static WalFileName ForLsn(uint timeline, ulong lsn, int walSegmentSize) => ForSegment(timeline, lsn / (ulong)CheckSize(walSegmentSize), walSegmentSize);

    /// <summary>The segment holding the last byte before <paramref name="lsn"/>: where WAL that ends at <paramref name="lsn"/> ends (PostgreSQL's XLByteToPrevSeg).</summary>
    public static WalFileName ForLsnBefore(uint timeline, ulong lsn, int walSegmentSize) => ForLsn(timeline, lsn - 1, walSegmentSize);

    /// <summary>"16/B374D848" as PostgreSQL prints an LSN.</summary>
    public static ulong ParseLsn(string lsn) => WalPosition.TryParse(lsn, out var value) ? value
        : throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidWalFileName, $"'{lsn}' is not a WAL position such as 16/B374D848.", lsn);

    /// <summary>The next segment on the same timeline (for any kind: the segment after this one's).</summary>
    public WalFileName Next(int walSegmentSize) => Kind == WalFileKind.History
        ? throw new InvalidOperationException("A history file has no next segment.")
        : ForSegment(Timeline, SegmentNumber(walSegmentSize) + 1, walSegmentSize);

    /// <summary>Whether this segment exists for a wal_segment_size (segment within the log below the per-log count).</summary>
    public bool FitsSegmentSize(int walSegmentSize) => Kind == WalFileKind.History || Segment < SegmentsPerLog(walSegmentSize);

    public int CompareTo(WalFileName? other)
    {
        if (other is null) return 1;
        var c = Timeline.CompareTo(other.Timeline);
        if (c != 0) return c;
        // A timeline's history file comes before its segments: PostgreSQL archives and asks for it first.
        c = (Kind == WalFileKind.History ? 0 : 1).CompareTo(other.Kind == WalFileKind.History ? 0 : 1);
        if (c != 0) return c;
        c = Log.CompareTo(other.Log);
        if (c != 0) return c;
        c = Segment.CompareTo(other.Segment);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Name;

    public static string Format(uint timeline, uint log, uint segment) => $"{timeline:X8}{log:X8}{segment:X8}";

    private static int CheckSize(int walSegmentSize) => walSegmentSize >= 1 << 20 && walSegmentSize <= 1 << 30 && (walSegmentSize & (walSegmentSize - 1)) == 0
        ? walSegmentSize
        : throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidWalSegmentSize,
            $"wal_segment_size {walSegmentSize} is not a power of two between 1 MB and 1 GB.", walSegmentSize.ToString(CultureInfo.InvariantCulture));

    private static uint Hex(string s) => uint.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?:(?<htl>[0-9A-F]{8})\.history|(?<tl>[0-9A-F]{8})(?<log>[0-9A-F]{8})(?<seg>[0-9A-F]{8})(?:(?<partial>\.partial)|(?<backup>\.[0-9A-F]{8}\.backup))?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
