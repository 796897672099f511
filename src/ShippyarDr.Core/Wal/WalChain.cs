namespace ShippyarDr.Wal;

/// <summary>Segment arithmetic over a timeline's archived segments: consecutive runs and the gaps between them.</summary>
public static class WalChain
{
    /// <summary>Runs of consecutive segments; <paramref name="segments"/> in any order, one timeline.</summary>
    public static List<WalRange> Ranges(IEnumerable<WalFileName> segments, int walSegmentSize)
    {
        var ranges = new List<WalRange>();
        WalFileName? first = null, last = null;
        var count = 0;
        foreach (var s in segments.Distinct().Order())
        {
            if (last is not null && s.SegmentNumber(walSegmentSize) == last.SegmentNumber(walSegmentSize) + 1)
            {
                (last, count) = (s, count + 1);
                continue;
            }
            if (first is not null) ranges.Add(new WalRange(first.Name, last!.Name, count));
            (first, last, count) = (s, s, 1);
        }
        if (first is not null) ranges.Add(new WalRange(first.Name, last!.Name, count));
        return ranges;
    }

    /// <summary>The gaps between consecutive runs.</summary>
    public static List<WalGap> Gaps(IReadOnlyList<WalRange> ranges, uint timeline, int walSegmentSize)
    {
        var gaps = new List<WalGap>();
        for (var i = 1; i < ranges.Count; i++)
        {
            var from = Number(ranges[i - 1].LastSegment, walSegmentSize) + 1;
            var to = Number(ranges[i].FirstSegment, walSegmentSize) - 1;
            gaps.Add(Gap(timeline, from, to, walSegmentSize));
        }
        return gaps;
    }

    /// <summary>The segments from <paramref name="first"/> to <paramref name="last"/> (both included) that no run covers.</summary>
    public static List<WalGap> Missing(IReadOnlyList<WalRange> ranges, uint timeline, string first, string last, int walSegmentSize)
    {
        var (from, to) = (Number(first, walSegmentSize), Number(last, walSegmentSize));
        var gaps = new List<WalGap>();
        var next = from;
        foreach (var range in ranges)
        {
            var (a, b) = (Number(range.FirstSegment, walSegmentSize), Number(range.LastSegment, walSegmentSize));
            if (b < next) continue;
            if (a > to) break;
            if (a > next) gaps.Add(Gap(timeline, next, a - 1, walSegmentSize));
            next = b + 1;
            if (next > to) return gaps;
        }
        if (next <= to) gaps.Add(Gap(timeline, next, to, walSegmentSize));
        return gaps;
    }

    private static ulong Number(string segment, int walSegmentSize) => WalFileName.Parse(segment).SegmentNumber(walSegmentSize);

    private static WalGap Gap(uint timeline, ulong from, ulong to, int walSegmentSize)
        => new(timeline, WalFileName.ForSegment(timeline, from, walSegmentSize).Name, WalFileName.ForSegment(timeline, to, walSegmentSize).Name, to - from + 1);
}
