using ShippyarDr.DumpFormat;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The scanner against real pg_dump -Fc output, fed straight from pg_dump's stdout as the backup engine does.
/// Every row count is compared with SELECT count(*), every byte count with COPY … TO STDOUT.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CustomDumpScannerTests(SandboxFixture fixture)
{
    private const string Default = "gzip";
    private const string Uncompressed = "none";

    private PgTool PgDump => PgToolLocator.Find("pg_dump", fixture.Sandbox.MajorVersion);

    private static string[] CompressionArgs(string compression) => compression == Uncompressed ? new[] { "-Z0" } : Array.Empty<string>();

    /// <summary>pg_dump -Fc to a pipe, its stdout read by the scanner as it is produced; the pipe must end up read to EOF.</summary>
    private DumpSummary ScanDump(string database, IEnumerable<string> extraArgs, CancellationToken cancel = default)
    {
        using var p = PgProcess.Start(PgDump, new[] { "--format=custom" }.Concat(extraArgs), fixture.Sandbox.Connection.ToEnvironment(database), redirectOutput: true);
        var watched = new EndWatchingStream(p.StandardOutput);
        var summary = CustomDumpScanner.Scan(watched, cancel);
        Assert.True(watched.ReachedEnd, "the scanner stopped before the end of pg_dump's output");
        p.WaitForSuccess("test dump");
        return summary;
    }

    private byte[] DumpBytes(string database, params string[] extraArgs)
    {
        using var p = PgProcess.Start(PgDump, new[] { "--format=custom" }.Concat(extraArgs), fixture.Sandbox.Connection.ToEnvironment(database), redirectOutput: true);
        using var ms = new MemoryStream();
        p.StandardOutput.CopyTo(ms);
        p.WaitForSuccess("test dump");
        return ms.ToArray();
    }

    private static string Quoted(string schema, string table) => $"\"{schema.Replace("\"", "\"\"")}\".\"{table.Replace("\"", "\"\"")}\"";

    /// <summary>Length of the table's COPY text as the server sends it (what pg_dump stores, without "\.").</summary>
    private long CopyTextLength(string database, DumpTableData t)
    {
        var psql = PgToolLocator.Find("psql", fixture.Sandbox.MajorVersion);
        using var p = PgProcess.Start(psql, new[] { "-X", "-c", $"COPY {Quoted(t.Schema, t.Table)} TO STDOUT" }, fixture.Sandbox.Connection.ToEnvironment(database), redirectOutput: true);
        var length = 0L;
        var buffer = new byte[65536];
        int n;
        while ((n = p.StandardOutput.Read(buffer)) > 0) length += n;
        p.WaitForSuccess("COPY for the test");
        return length;
    }

    private void AssertCountsMatch(string database, DumpSummary summary)
    {
        Assert.NotEmpty(summary.Tables);
        foreach (var t in summary.Tables)
        {
            var expected = long.Parse(fixture.Sandbox.QueryScalar(database, $"SELECT count(*) FROM {Quoted(t.Schema, t.Table)}")!);
            Assert.True(expected == t.Rows, $"{t.Schema}.{t.Table}: count(*) {expected}, archive {t.Rows?.ToString() ?? "null"}");
            Assert.True(CopyTextLength(database, t) == t.DataBytes, $"{t.Schema}.{t.Table}: archive says {t.DataBytes} bytes of COPY data");
        }
    }

    private static string ExpectedFormat(int pgDumpMajor) => pgDumpMajor switch { >= 17 => "1.16.0", 16 => "1.15.0", _ => "1.14.0" };

    [Theory]
    [InlineData(Default)]
    [InlineData(Uncompressed)]
    public void Row_counts_equal_count_star_for_every_sample_table(string compression)
    {
        var before = DateTime.Now.AddMinutes(-1);
        var summary = ScanDump(SandboxFixture.SampleDatabase, CompressionArgs(compression));

        Assert.Equal(compression, summary.Compression);
        Assert.Equal(ExpectedFormat(PgDump.MajorVersion), summary.FormatVersion);
        if (PgDump.MajorVersion < 16) Assert.Equal(compression == Uncompressed ? 0 : (int?)null, summary.CompressionLevel); // -1: zlib's default
        Assert.Equal(SandboxFixture.SampleDatabase, summary.DatabaseName);
        Assert.StartsWith($"{fixture.Sandbox.MajorVersion}.", summary.ServerVersion);
        Assert.StartsWith($"{PgDump.MajorVersion}.", summary.DumpVersion);
        Assert.InRange(summary.CreatedAt!.Value, before, DateTime.Now.AddMinutes(1));

        Assert.Equal(new[] { "order_items", "orders", "shipments", "users" }, summary.Tables.Select(t => t.Table).Order(StringComparer.Ordinal));
        Assert.All(summary.Tables, t => Assert.Equal("public", t.Schema));
        Assert.All(summary.Tables, t => Assert.True(t.Rows > 0));
        AssertCountsMatch(SandboxFixture.SampleDatabase, summary);

        Assert.Equal(new[] { "order_items order_items_order_id_fkey", "orders orders_user_id_fkey", "shipments shipments_order_id_fkey" },
            summary.ForeignKeys.Select(f => f.Tag).Order(StringComparer.Ordinal));
        Assert.All(summary.ForeignKeys, f => Assert.Equal(("public", "PostData", false), (f.Namespace, f.Section, f.HasData)));
        var usersTable = summary.Entries.Single(e => e.Description == "TABLE" && e.Tag == "users");
        Assert.Equal(("PreData", false, "postgres"), (usersTable.Section, usersTable.HasData, usersTable.Owner));
        var usersData = summary.Entries.Single(e => e.Description == "TABLE DATA" && e.Tag == "users");
        Assert.Equal(("Data", true), (usersData.Section, usersData.HasData));
        Assert.Equal(0, summary.LargeObjectCount);
    }

    [Theory]
    [InlineData(Default)]
    [InlineData(Uncompressed)]
    public void Newlines_tabs_backslashes_end_markers_and_empty_lines_in_values_do_not_miscount(string compression)
    {
        var db = fixture.CloneSample("scan_tricky");
        fixture.Sandbox.Execute(db, """"
            CREATE SCHEMA "odd ""schema""";
            CREATE TABLE "odd ""schema""".notes (id int, v text, b bytea);
            INSERT INTO "odd ""schema""".notes VALUES
                (1, E'line1\nline2\r\nline3', NULL), (2, E'tab\there\t', '\x0a0a5c2e0a'), (3, E'back\\slash\\', NULL),
                (4, E'\\.', NULL), (5, E'\\.\n\\.\n', NULL), (6, '', ''), (7, NULL, NULL),
                (8, repeat(E'x\n\\.\n', 200000), NULL);
            -- One text column: an empty string is an empty COPY line, also right before the end-of-data line.
            CREATE TABLE one_column (v text);
            INSERT INTO one_column VALUES (''), (E'\\.'), (''), ('');
            -- No columns at all: every row is an empty line.
            CREATE TABLE no_columns ();
            INSERT INTO no_columns DEFAULT VALUES; INSERT INTO no_columns DEFAULT VALUES; INSERT INTO no_columns DEFAULT VALUES;
            CREATE TABLE empty_table (id int, v text);
            UPDATE users SET full_name = E'Name with\nnewline\tand\\backslash' WHERE id % 7 = 0;
            """");

        var summary = ScanDump(db, CompressionArgs(compression));

        AssertCountsMatch(db, summary);
        var notes = summary.Tables.Single(t => t.Table == "notes");
        Assert.Equal("odd \"schema\"", notes.Schema);
        Assert.Equal(8, notes.Rows);
        Assert.Equal(4, summary.Tables.Single(t => t.Table == "one_column").Rows);
        Assert.Equal(3, summary.Tables.Single(t => t.Table == "no_columns").Rows);
        var empty = summary.Tables.Single(t => t.Table == "empty_table");
        Assert.Equal(0, empty.Rows);
        Assert.Equal(0, empty.DataBytes);
    }

    [Theory]
    [InlineData(Default)]
    [InlineData(Uncompressed)]
    public void Large_objects_are_counted_and_do_not_disturb_table_counts(string compression)
    {
        var db = fixture.CloneSample("scan_lo");
        fixture.Sandbox.Execute(db, """
            SELECT lo_from_bytea(0, '\x0102030405'::bytea);
            SELECT lo_from_bytea(0, '\x0a'::bytea);
            SELECT lo_from_bytea(0, decode(repeat('0a5c2e', 100000), 'hex'));
            """);

        var summary = ScanDump(db, CompressionArgs(compression));

        Assert.Equal(3, summary.LargeObjectCount);
        Assert.Contains(summary.Entries, e => e.Description == "BLOBS" && e.HasData);
        AssertCountsMatch(db, summary);
    }

    [Fact]
    public void Inserts_instead_of_copy_give_no_row_count_rather_than_a_wrong_one()
    {
        var summary = ScanDump(SandboxFixture.SampleDatabase, new[] { "--inserts", "-t", "users" });
        var users = Assert.Single(summary.Tables);
        Assert.Null(users.Rows);
        Assert.True(users.DataBytes > 0);
    }

    [Theory]
    [InlineData(Default)]
    [InlineData(Uncompressed)]
    public void A_truncated_archive_is_reported_as_truncated_wherever_it_is_cut(string compression)
    {
        var bytes = DumpBytes(SandboxFixture.SampleDatabase, CompressionArgs(compression));
        var summary = CustomDumpScanner.Scan(new MemoryStream(bytes));
        var cuts = Enumerable.Range(1, 40).Select(i => (int)(bytes.LongLength * i / 41)).ToList();
        cuts.AddRange(new[] { 6, 100, bytes.Length - 1, bytes.Length - 5 });
        // Exactly between two data blocks: the stream ends cleanly, yet the last table's data never came.
        var lastTable = summary.Tables[^1];
        cuts.Add(IndexOfBlockHeader(bytes, lastTable.DumpId));

        foreach (var cut in cuts)
        {
            var e = Assert.Throws<ShippyarException>(() => CustomDumpScanner.Scan(new MemoryStream(bytes, 0, cut)));
            Assert.Equal(ShippyarErrorKind.InvalidData, e.Kind);
            Assert.True(e.ErrorId == "ArchiveTruncated", $"cut at {cut} of {bytes.Length}: {e.ErrorId} {e.Message}");
        }
    }

    /// <summary>Where the data block of <paramref name="dumpId"/> starts: type byte 1, then the id as an archive integer.</summary>
    private static int IndexOfBlockHeader(byte[] archive, int dumpId)
    {
        var header = new byte[] { 1, 0, (byte)dumpId, (byte)(dumpId >> 8), (byte)(dumpId >> 16), (byte)(dumpId >> 24) };
        var at = archive.AsSpan().LastIndexOf(header);
        Assert.True(at > 0, $"no data block header for dump id {dumpId}");
        return at;
    }

    [Fact]
    public void Other_data_is_not_a_custom_archive()
    {
        var random = new byte[64 * 1024];
        new Random(42).NextBytes(random);
        foreach (var notAnArchive in new[] { random, "-- PostgreSQL database dump\nSET x = 1;\n"u8.ToArray(), "PGD"u8.ToArray(), Array.Empty<byte>() })
            Assert.Equal("NotCustomArchive", Assert.Throws<ShippyarException>(() => CustomDumpScanner.Scan(new MemoryStream(notAnArchive))).ErrorId);

        // A directory-format dump's toc.dat starts with PGDMP too, but its format byte says directory.
        using var dir = new TempDirectory();
        var target = Path.Combine(dir.Path, "dump");
        using (var p = PgProcess.Start(PgDump, new[] { "--format=directory", "-f", target }, fixture.Sandbox.Connection.ToEnvironment(SandboxFixture.SampleDatabase)))
            p.WaitForSuccess("directory dump");
        using var toc = File.OpenRead(Path.Combine(target, "toc.dat"));
        var e = Assert.Throws<ShippyarException>(() => CustomDumpScanner.Scan(toc));
        Assert.Equal(("NotCustomArchive", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
    }

    [Fact]
    public void Archive_versions_outside_1_12_to_1_16_are_refused()
    {
        var bytes = DumpBytes(SandboxFixture.SampleDatabase, "-t", "users");
        foreach (var (major, minor) in new[] { (1, 11), (1, 17), (2, 0) })
        {
            var patched = (byte[])bytes.Clone();
            (patched[5], patched[6]) = ((byte)major, (byte)minor);
            var e = Assert.Throws<ShippyarException>(() => CustomDumpScanner.Scan(new MemoryStream(patched)));
            Assert.Equal("UnsupportedArchiveVersion", e.ErrorId);
            Assert.Contains($"{major}.{minor}.", e.Message);
        }
    }

    [Fact]
    public void Damage_after_the_last_block_or_inside_compressed_data_is_corrupt()
    {
        var bytes = DumpBytes(SandboxFixture.SampleDatabase);
        var trailing = bytes.Append((byte)7).ToArray();
        Assert.Equal("ArchiveCorrupt", Assert.Throws<ShippyarException>(() => CustomDumpScanner.Scan(new MemoryStream(trailing))).ErrorId);

        // Overwrite the zlib header of the first table's data (its first chunk starts after the 6-byte block header and a length).
        var summary = CustomDumpScanner.Scan(new MemoryStream(bytes));
        var damaged = (byte[])bytes.Clone();
        var payload = IndexOfBlockHeader(bytes, summary.Tables[0].DumpId) + 6 + 5;
        Assert.Equal(0x78, damaged[payload]); // zlib's CMF byte: deflate, 32K window
        damaged.AsSpan(payload, 2).Fill(0xFF);
        var e = Assert.Throws<ShippyarException>(() => CustomDumpScanner.Scan(new MemoryStream(damaged)));
        Assert.Equal(("ArchiveCorrupt", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
    }

    [Fact]
    public void A_cancelled_scan_stops()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ScanDump(SandboxFixture.SampleDatabase, Array.Empty<string>(), cts.Token));
    }

    /// <summary>Passes reads through and notes whether the source reported its end.</summary>
    private sealed class EndWatchingStream(Stream inner) : ShippyarDr.Streams.ReadOnlyStreamBase
    {
        public bool ReachedEnd { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            if (n == 0 && buffer.Length > 0) ReachedEnd = true;
            return n;
        }
    }
}
