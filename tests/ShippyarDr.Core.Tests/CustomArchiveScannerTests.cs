using ShippyarDr.Archive;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Core.Tests;

/// <summary>The scanner against real pg_dump output: every count is compared with SELECT count(*).</summary>
[Collection(PostgresCollection.Name)]
public sealed class CustomArchiveScannerTests(SandboxFixture fixture)
{
    private byte[] Dump(string database, params string[] extraArgs)
    {
        var pgDump = PgToolLocator.Find("pg_dump", fixture.Sandbox.MajorVersion);
        using var p = PgProcess.Start(pgDump, new[] { "--format=custom" }.Concat(extraArgs), fixture.Sandbox.Connection.ToEnvironment(database), redirectOutput: true);
        using var ms = new MemoryStream();
        p.StandardOutput.CopyTo(ms);
        p.WaitForSuccess("test dump");
        return ms.ToArray();
    }

    private void AssertCountsMatch(string database, ArchiveSummary summary)
    {
        Assert.NotEmpty(summary.Tables);
        foreach (var t in summary.Tables)
            Assert.Equal(fixture.Sandbox.QueryScalar(database, $"SELECT count(*) FROM \"{t.Schema}\".\"{t.Table}\""), t.Rows?.ToString());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("none")]
    public void Row_counts_equal_count_star_for_every_table(string compression)
    {
        var bytes = Dump(SandboxFixture.SampleDatabase, compression == "none" ? new[] { "-Z0" } : Array.Empty<string>());
        var summary = CustomArchiveScanner.Scan(new MemoryStream(bytes));
        Assert.Equal(compression, summary.Compression);
        Assert.Equal("1.14.0", summary.FormatVersion);
        Assert.Equal(SandboxFixture.SampleDatabase, summary.DatabaseName);
        Assert.StartsWith("15.", summary.ServerVersion);
        Assert.Equal(4, summary.Tables.Count);
        AssertCountsMatch(SandboxFixture.SampleDatabase, summary);
        Assert.Equal(new[] { "order_items order_items_order_id_fkey", "orders orders_user_id_fkey", "shipments shipments_order_id_fkey" },
            summary.ForeignKeys.Select(f => f.Tag).OrderBy(t => t, StringComparer.Ordinal));
    }

    [Fact]
    public void Values_with_newlines_tabs_backslashes_and_empty_tables_do_not_miscount()
    {
        var db = fixture.UniqueName("tricky");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {db}");
        fixture.Sandbox.Execute(db, """
            CREATE SCHEMA "odd schema";
            CREATE TABLE "odd schema"."Weird Table" (v text, b bytea);
            INSERT INTO "odd schema"."Weird Table" VALUES (E'line1\nline2', NULL), (E'tab\there', '\x0a0a'), (E'back\\slash\\.', NULL),
                (E'\\.', NULL), ('', NULL), (NULL, NULL), (repeat(E'x\n', 50000), NULL);
            CREATE TABLE empty_one (id int);
            SELECT lo_from_bytea(0, '\x0102030405'::bytea);
            SELECT lo_from_bytea(0, '\x06'::bytea);
            """);
        foreach (var args in new[] { Array.Empty<string>(), new[] { "-Z0" } })
        {
            var summary = CustomArchiveScanner.Scan(new MemoryStream(Dump(db, args)));
            AssertCountsMatch(db, summary);
            Assert.Equal(7, summary.Tables.Single(t => t.Table == "Weird Table").Rows);
            Assert.Equal("odd schema", summary.Tables.Single(t => t.Table == "Weird Table").Schema);
            Assert.Equal(0, summary.Tables.Single(t => t.Table == "empty_one").Rows);
            Assert.Equal(2, summary.LargeObjectCount);
        }
    }

    [Fact]
    public void A_truncated_archive_is_reported_as_truncated_wherever_it_is_cut()
    {
        var bytes = Dump(SandboxFixture.SampleDatabase);
        foreach (var fraction in new[] { 0.001, 0.05, 0.5, 0.99 })
        {
            var cut = bytes.AsSpan(0, (int)(bytes.Length * fraction)).ToArray();
            var e = Assert.Throws<ShippyarException>(() => CustomArchiveScanner.Scan(new MemoryStream(cut)));
            Assert.Equal(ShippyarErrorKind.InvalidData, e.Kind);
            Assert.True(e.ErrorId is "ArchiveTruncated" or "ArchiveCorrupt", $"{fraction}: {e.ErrorId} {e.Message}");
        }
    }

    [Fact]
    public void Other_data_is_not_a_custom_archive()
    {
        var random = new byte[4096];
        new Random(42).NextBytes(random);
        Assert.Equal("NotCustomArchive", Assert.Throws<ShippyarException>(() => CustomArchiveScanner.Scan(new MemoryStream(random))).ErrorId);
        var plain = "-- PostgreSQL database dump\nSET x = 1;\n"u8.ToArray();
        Assert.Equal("NotCustomArchive", Assert.Throws<ShippyarException>(() => CustomArchiveScanner.Scan(new MemoryStream(plain))).ErrorId);
        var tar = Dump(SandboxFixture.SampleDatabase);
        tar[5] = 9; // archive version 9.x
        Assert.Equal("UnsupportedArchiveVersion", Assert.Throws<ShippyarException>(() => CustomArchiveScanner.Scan(new MemoryStream(tar))).ErrorId);
    }
}
