using ShippyarDr.Diagnostics;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests;

/// <summary>WAL file names: the four kinds, PostgreSQL's ordering, segment arithmetic for any wal_segment_size.</summary>
public sealed class WalFileNameTests
{
    private const int Mb16 = 16 << 20;

    [Theory]
    [InlineData("000000010000000000000003", WalFileKind.Segment, 1u, 0u, 3u)]
    [InlineData("0000000A00000002000000FF", WalFileKind.Segment, 10u, 2u, 255u)]
    [InlineData("000000020000000000000005.partial", WalFileKind.Partial, 2u, 0u, 5u)]
    [InlineData("00000002.history", WalFileKind.History, 2u, 0u, 0u)]
    [InlineData("000000010000000000000002.00000028.backup", WalFileKind.BackupLabel, 1u, 0u, 2u)]
    public void Names_parse_into_kind_timeline_and_position(string text, WalFileKind kind, uint timeline, uint log, uint segment)
    {
        var name = WalFileName.Parse(text);
        Assert.Equal((kind, timeline, log, segment, text), (name.Kind, name.Timeline, name.Log, name.Segment, name.Name));
    }

    [Theory]
    [InlineData("00000001000000000000000")]      // 23 digits
    [InlineData("000000010000000000000003x")]
    [InlineData("00000001000000000000000a")]     // PostgreSQL writes upper case
    [InlineData("000000000000000000000003")]     // timeline 0 does not exist
    [InlineData("00000000.history")]
    [InlineData("RECOVERYXLOG")]
    [InlineData("../000000010000000000000003")]
    [InlineData("000000010000000000000003.backup")]
    public void Other_names_are_refused(string text)
    {
        Assert.Null(WalFileName.TryParse(text));
        Assert.Equal(ErrorIds.InvalidWalFileName, Assert.Throws<ShippyarException>(() => WalFileName.Parse(text)).ErrorId);
    }

    [Fact]
    public void Files_order_by_timeline_with_the_history_file_first_then_by_position()
    {
        var names = new[] { "000000020000000000000001", "00000002.history", "000000010000000100000000", "0000000100000000000000FF", "000000010000000000000002.00000028.backup", "000000010000000000000002" };
        Assert.Equal(new[] { "000000010000000000000002", "000000010000000000000002.00000028.backup", "0000000100000000000000FF", "000000010000000100000000", "00000002.history", "000000020000000000000001" },
            names.Select(WalFileName.Parse).Order().Select(n => n.Name));
    }

    [Theory]
    [InlineData("000000010000000000000003", Mb16, "000000010000000000000004")]
    [InlineData("0000000100000000000000FF", Mb16, "000000010000000100000000")]     // a log holds 256 segments of 16 MiB
    [InlineData("000000010000000000000003", 1 << 30, "000000010000000100000000")]  // and 4 of 1 GiB
    [InlineData("000000010000000000000FFF", 1 << 20, "000000010000000100000000")]  // and 4096 of 1 MiB
    [InlineData("000000020000000000000005.partial", Mb16, "000000020000000000000006")]
    public void The_next_segment_depends_on_the_segment_size(string name, int size, string next)
        => Assert.Equal(next, WalFileName.Parse(name).Next(size).Name);

    [Fact]
    public void Positions_map_to_segments()
    {
        Assert.Equal(0x16B3UL << 32 | 0x74D848, WalFileName.ParseLsn("16B3/74D848"));
        Assert.Equal("000000030000001600000074", WalFileName.ForLsn(3, WalFileName.ParseLsn("16/74D84800"), Mb16).Name);
        Assert.Equal(0x16UL * 256 + 0x74, WalFileName.Parse("000000030000001600000074").SegmentNumber(Mb16));
        Assert.False(WalFileName.Parse("000000010000000000000004").FitsSegmentSize(1 << 30));
        Assert.Equal(ErrorIds.InvalidWalSegmentSize, Assert.Throws<ShippyarException>(() => WalFileName.Parse("000000010000000000000004").Next(3 << 20)).ErrorId);
    }

    [Fact]
    public void Ranges_gaps_and_missing_segments_of_a_timeline()
    {
        var names = new[] { 1, 2, 3, 5, 0x100, 0xFF }.Select(i => WalFileName.ForSegment(1, (ulong)i, Mb16)).ToList();
        var ranges = WalChain.Ranges(names, Mb16);
        Assert.Equal(new[] { ("000000010000000000000001", "000000010000000000000003", 3), ("000000010000000000000005", "000000010000000000000005", 1),
            ("0000000100000000000000FF", "000000010000000100000000", 2) }, ranges.Select(r => (r.FirstSegment, r.LastSegment, r.Count)));
        var gaps = WalChain.Gaps(ranges, 1, Mb16);
        Assert.Equal(new[] { ("000000010000000000000004", "000000010000000000000004", 1UL), ("000000010000000000000006", "0000000100000000000000FE", 0xF9UL) },
            gaps.Select(g => (g.FirstMissing, g.LastMissing, g.MissingCount)));
        Assert.Empty(WalChain.Missing(ranges, 1, "000000010000000000000001", "000000010000000000000003", Mb16));
        var missing = WalChain.Missing(ranges, 1, "000000010000000000000002", "000000010000000100000001", Mb16);
        Assert.Equal(new[] { "000000010000000000000004", "000000010000000000000006", "000000010000000100000001" }, missing.Select(g => g.FirstMissing));
    }

    [Fact]
    public void History_files_parse_into_timeline_switches()
    {
        var content = "1\t0/3000158\tno recovery target specified\n\n2\t0/5000000\tbefore 2026-11-30 10:00:00+00\n"u8.ToArray();
        var switches = WalTimelineSwitch.Parse(content);
        Assert.Equal(new[] { (1u, 0x3000158UL), (2u, 0x5000000UL) }, switches.Select(s => (s.ParentTimeline, s.SwitchLsn)));
        Assert.Equal("before 2026-11-30 10:00:00+00", switches[1].Reason);
    }
}
