using System.Buffers.Binary;
using System.Globalization;

namespace ShippyarDr.Physical;

/// <summary>
/// The long page header every WAL segment starts with (XLogLongPageHeaderData, little-endian on the machines PostgreSQL
/// builds for here): its timeline, the position of its first byte, the cluster's system identifier and the segment
/// size. A segment whose header does not name its own position, timeline and cluster is not that segment.
/// </summary>
public static class WalSegmentHeader
{
    /// <summary>Bytes of the segment's start that <see cref="Problem"/> reads.</summary>
    public const int Length = 40;

    /// <summary>What is wrong with segment <paramref name="name"/>'s first bytes; null when they are its own header.</summary>
    public static string? Problem(string name, ReadOnlySpan<byte> start, long segmentSize, string? systemIdentifier)
    {
        if (start.Length < Length) return $"{name} is too short for a WAL page header";
        var timeline = BinaryPrimitives.ReadUInt32LittleEndian(start[4..]);
        var pageAddress = BinaryPrimitives.ReadUInt64LittleEndian(start[8..]);
        var systemId = BinaryPrimitives.ReadUInt64LittleEndian(start[24..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(start[32..]);
        var expectedTimeline = uint.Parse(name[..8], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var expectedAddress = (ulong.Parse(name[8..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) * (0x100000000UL / (ulong)segmentSize)
                               + ulong.Parse(name[16..24], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)) * (ulong)segmentSize;
        if (timeline != expectedTimeline || pageAddress != expectedAddress || size != segmentSize)
            return $"{name} does not begin with its own page header (timeline {timeline}, position {WalPosition.Format(pageAddress)}, segment size {size})";
        if (systemIdentifier is not null && systemId.ToString(CultureInfo.InvariantCulture) != systemIdentifier)
            return $"{name} belongs to cluster {systemId}, not {systemIdentifier}";
        return null;
    }
}
