using System.Globalization;

namespace ShippyarDr.Physical;

/// <summary>WAL positions ("0/2000028") and the segment file names they fall in ("000000010000000000000002").</summary>
public static class WalPosition
{
    public static bool TryParse(string? text, out ulong lsn)
    {
        lsn = 0;
        var parts = text?.Split('/');
        if (parts is not { Length: 2 }
            || !uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hi)
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var lo)) return false;
        lsn = ((ulong)hi << 32) | lo;
        return true;
    }

    public static ulong Parse(string text) => TryParse(text, out var lsn) ? lsn : throw new FormatException($"'{text}' is not a WAL position.");

    public static string Format(ulong lsn) => $"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}";

    /// <summary>The segment holding the byte at <paramref name="lsn"/>.</summary>
    public static string SegmentOf(int timeline, ulong lsn, long segmentSize) => SegmentName(timeline, lsn / (ulong)segmentSize, segmentSize);

    /// <summary>The segment holding the last byte before <paramref name="lsn"/>: where WAL that ends at <paramref name="lsn"/> ends (PostgreSQL's XLByteToPrevSeg).</summary>
    public static string SegmentBefore(int timeline, ulong lsn, long segmentSize) => SegmentName(timeline, (lsn - 1) / (ulong)segmentSize, segmentSize);

    public static string SegmentName(int timeline, ulong segmentNumber, long segmentSize)
    {
        var perId = 0x100000000UL / (ulong)segmentSize;
        return $"{timeline:X8}{segmentNumber / perId:X8}{segmentNumber % perId:X8}";
    }

    /// <summary>Every segment name from <paramref name="first"/> to <paramref name="last"/> (same timeline), in order.</summary>
    public static IEnumerable<string> Range(string first, string last, long segmentSize)
    {
        var timeline = int.Parse(first[..8], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var perId = 0x100000000UL / (ulong)segmentSize;
        ulong Number(string name) => ulong.Parse(name[8..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) * perId
                                     + ulong.Parse(name[16..24], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        for (var n = Number(first); n <= Number(last); n++) yield return SegmentName(timeline, n, segmentSize);
    }

    public static bool IsSegmentName(string name) => name.Length == 24 && name.All(Uri.IsHexDigit);
}
