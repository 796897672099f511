using System.Buffers.Binary;
using System.Globalization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal;

/// <summary>
/// The long page header at the start of every WAL segment (XLogLongPageHeaderData): magic (the WAL format, one per
/// major version), the position of the segment's first page, and the system identifier and segment size of the
/// cluster that wrote it. A segment proves which cluster it came from, whatever data directory pushes it.
/// </summary>
public sealed record WalSegmentHeader(ushort Magic, uint Timeline, ulong PageAddress, string SystemIdentifier, int SegmentSize)
{
    public const int Length = 40;
    private const ushort LongHeaderFlag = 0x0002; // XLP_LONG_HEADER

    // XLOG_PAGE_MAGIC of each major version (src/include/access/xlog_internal.h).
    private static readonly Dictionary<ushort, int> MagicVersions = new()
    {
        [0xD106] = 13, [0xD10D] = 14, [0xD110] = 15, [0xD113] = 16, [0xD116] = 17,
    };

    /// <summary>The major version whose WAL format this is; null for a magic this version does not know.</summary>
    public int? MajorVersion => MagicVersions.TryGetValue(Magic, out var v) ? v : null;

    /// <summary>The header, or null when the bytes are not the start of a WAL segment.</summary>
    public static WalSegmentHeader? TryRead(ReadOnlySpan<byte> head)
    {
        if (head.Length < Length) return null;
        var info = BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
        if ((info & LongHeaderFlag) == 0) return null;
        return new WalSegmentHeader(BinaryPrimitives.ReadUInt16LittleEndian(head),
            BinaryPrimitives.ReadUInt32LittleEndian(head[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(head[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(head[24..]).ToString(CultureInfo.InvariantCulture),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(head[32..]));
    }

    /// <summary>Refuses a segment file that another cluster wrote, that was renamed, or that is not whole.</summary>
    public static void Check(string path, WalFileName name, long fileLength, ReadOnlySpan<byte> head, ClusterIdentity cluster, int walSegmentSize)
    {
        var header = TryRead(head);
        string? problem = header switch
        {
            null => "it does not start with a WAL segment header",
            _ when header.SystemIdentifier != cluster.SystemIdentifier =>
                $"it was written by cluster {header.SystemIdentifier}, and this data directory holds cluster {cluster.SystemIdentifier}",
            _ when header.MajorVersion is { } v && v != cluster.MajorVersion => $"its WAL format is PostgreSQL {v}'s, and the cluster is PostgreSQL {cluster.MajorVersion}",
            _ when header.SegmentSize != walSegmentSize => $"its segments are {header.SegmentSize} bytes, and the archive's are {walSegmentSize}",
            _ when fileLength != walSegmentSize => $"it is {fileLength} bytes long, not the {walSegmentSize} of a segment",
            _ when header.PageAddress != name.SegmentNumber(walSegmentSize) * (ulong)walSegmentSize =>
                $"it holds WAL from {WalPosition.Format(header.PageAddress)}, which is not where segment {name.SegmentName} starts",
            _ => null,
        };
        if (problem is not null)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalSegmentInvalid, $"{path} is refused: {problem}.", path);
    }

    /// <summary>
    /// What is wrong with the first bytes of segment <paramref name="name"/> as a base backup holds it (no data directory
    /// to compare with): null when they are its own long page header, of its timeline, position and segment size, and
    /// of cluster <paramref name="systemIdentifier"/> when one is given.
    /// </summary>
    public static string? Problem(WalFileName name, ReadOnlySpan<byte> head, int segmentSize, string? systemIdentifier)
    {
        if (head.Length < Length) return $"{name} is too short for a WAL page header";
        if (TryRead(head) is not { } header) return $"{name} does not begin with its own page header (no long page header)";
        if (header.Timeline != name.Timeline || header.PageAddress != name.SegmentNumber(segmentSize) * (ulong)segmentSize || header.SegmentSize != segmentSize)
            return $"{name} does not begin with its own page header (timeline {header.Timeline}, position {WalPosition.Format(header.PageAddress)}, segment size {header.SegmentSize})";
        if (systemIdentifier is not null && header.SystemIdentifier != systemIdentifier)
            return $"{name} belongs to cluster {header.SystemIdentifier}, not {systemIdentifier}";
        return null;
    }
}
