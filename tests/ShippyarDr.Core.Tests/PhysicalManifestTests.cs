using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical;
using ShippyarDr.Repository;
using ShippyarDr.Wal;
using TarReader = ShippyarDr.Physical.Tar.TarReader;

namespace ShippyarDr.Core.Tests;

/// <summary>The parts of base backups that need no server: manifests old and new, WAL names, tars, backup_manifest, settings files.</summary>
public sealed class PhysicalManifestTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A base backup's manifest as the engine writes it (no objects behind it).</summary>
    internal static BackupInfo Base(string id, DateTimeOffset end) => new()
    {
        Id = id, Kind = BackupKind.Physical, Tier = BackupTier.Base, Database = BackupEngine.ClusterScope, EndTime = end, StartTime = end.AddMinutes(-5), Size = 10,
        Files = { new BackupFile { Name = "base.tar.zst", Format = "tar" }, new BackupFile { Name = "pg_wal.tar.zst", Format = "tar" },
                  new BackupFile { Name = "backup_manifest.zst", Format = "backup_manifest" }, new BackupFile { Name = "16384.tar.zst", Format = "tar" } },
        Physical = new PhysicalBackupInfo
        {
            Timeline = 1, StopTimeline = 1, StartLsn = "0/2000028", StopLsn = "0/2000100", WalSegmentSize = 16 << 20,
            FirstWalSegment = "000000010000000000000002", LastWalSegment = "000000010000000000000002", ArchiveNeededFrom = "000000010000000000000002",
            BaseFile = "base.tar.zst", WalFile = "pg_wal.tar.zst", ManifestFile = "backup_manifest.zst",
            Tablespaces = { new PhysicalTablespace { Oid = 16384, Name = "ts", Location = "/srv/ts", File = "16384.tar.zst" } },
        },
    };

    [Fact]
    public void A_manifest_written_before_kinds_reads_as_logical_and_a_base_backup_round_trips()
    {
        var old = ManifestSerializer.Deserialize("""{ "ManifestVersion": 2, "Id": "20261125-010203D-abcd", "Database": "shop", "Tier": "Daily", "Files": [] }"""u8, "test");
        Assert.Equal(BackupKind.Logical, old.Kind);
        Assert.Null(old.Physical);
        Assert.False(old.IsCluster);

        var catalog = new BackupCatalog(new FileSystemRepository(_dir.Path));
        catalog.Save(Base("20261125-010203B-0001", DateTimeOffset.UtcNow));
        var read = catalog.Get("20261125-010203B-0001");
        Assert.Equal((BackupKind.Physical, BackupTier.Base, true), (read.Kind, read.Tier, read.IsCluster));
        Assert.Equal("0/2000100", read.Physical!.StopLsn);
        Assert.Equal("/srv/ts", read.Physical.Tablespaces.Single().Location);
        Assert.StartsWith(BackupLayout.ClusterPrefix, read.Prefix);
        Assert.Contains("\"Kind\": \"Physical\"", Encoding.UTF8.GetString(catalog.ReadManifestBytes(read)));
    }

    [Theory]
    [InlineData("kind without tier")]
    [InlineData("tier without physical part")]
    [InlineData("file not held")]
    [InlineData("tablespace twice")]
    public void A_physical_manifest_that_no_writer_makes_is_not_used(string change)
    {
        var info = Base("20261125-010203B-0002", DateTimeOffset.UtcNow);
        switch (change)
        {
            case "kind without tier": info.Tier = BackupTier.Weekly; info.Id = "20261125-010203W-0002"; break;
            case "tier without physical part": info.Physical = null; break;
            case "file not held": info.Physical!.WalFile = "elsewhere.tar.zst"; break;
            case "tablespace twice": info.Physical!.Tablespaces.Add(new PhysicalTablespace { Oid = 16384, Location = "/x", File = "base.tar.zst" }); break;
        }
        var catalog = new BackupCatalog(new FileSystemRepository(_dir.Path));
        catalog.Save(info);
        var contents = catalog.Scan();
        Assert.Empty(contents.Backups);
        Assert.Equal(ErrorIds.ManifestInvalid, contents.Unreadable.Single().Error.ErrorId);
    }

    [Fact]
    public void Wal_positions_name_their_segments()
    {
        const int size = 16 << 20;
        Assert.Equal("000000010000000000000002", WalFileName.ForLsn(1, WalPosition.Parse("0/2000028"), size).Name);
        // A stop exactly on a segment boundary ends in the segment before it.
        Assert.Equal("000000010000000000000002", WalFileName.ForLsnBefore(1, WalPosition.Parse("0/3000000"), size).Name);
        Assert.Equal("0000000200000001000000FF", WalFileName.ForLsn(2, WalPosition.Parse("1/FF000000"), size).Name);
        Assert.Equal("000000010000000100000000", WalFileName.Parse("0000000100000000000000FF").Next(size).Name);
        Assert.Equal("1/FF000000", WalPosition.Format(WalPosition.Parse("1/FF000000")));
        Assert.False(WalPosition.TryParse("nonsense", out _));
    }

    [Fact]
    public void The_tar_reader_tells_complete_archives_from_truncated_and_padded_ones()
    {
        var tar = Tar(("a.txt", "alpha"), ("dir/b.txt", new string('b', 700)));
        var reader = new TarReader(new MemoryStream(tar), "test.tar");
        Assert.Equal("a.txt", reader.Next()!.Name);
        Assert.Equal("dir/b.txt", reader.Next()!.Name);
        Assert.Null(reader.Next());

        var truncated = tar[..1024];
        var cut = Assert.Throws<ShippyarException>(() => { var r = new TarReader(new MemoryStream(truncated), "cut.tar"); while (r.Next() is not null) { } });
        Assert.Equal(ErrorIds.TarCorrupt, cut.ErrorId);

        var junk = tar.Concat(new byte[] { 1, 2, 3 }).ToArray();
        Assert.Equal(ErrorIds.TarCorrupt, Assert.Throws<ShippyarException>(() => { var r = new TarReader(new MemoryStream(junk), "junk.tar"); while (r.Next() is not null) { } }).ErrorId);

        var damaged = (byte[])tar.Clone();
        damaged[10] ^= 1;
        Assert.Contains("checksum", Assert.Throws<ShippyarException>(() => new TarReader(new MemoryStream(damaged), "bad.tar").Next()).Message);
    }

    [Fact]
    public void Extraction_never_leaves_the_directory()
    {
        foreach (var evil in new[] { "../escape.txt", "/etc/escape.txt", "a/../../escape.txt" })
        {
            var target = Directory.CreateDirectory(Path.Combine(_dir.Path, Guid.NewGuid().ToString("n"))).FullName;
            var e = Assert.Throws<ShippyarException>(() => new ShippyarDr.Physical.Tar.TarExtractor(target, "evil.tar")
                .ExtractAll(new TarReader(new MemoryStream(Tar((evil, "x"))), "evil.tar"), null, default));
            Assert.Equal(ErrorIds.TarCorrupt, e.ErrorId);
        }
        // A link the archive made is not a way out either.
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "out") { LinkName = _dir.Path });
            var file = new UstarTarEntry(TarEntryType.RegularFile, "out/escaped.txt") { DataStream = new MemoryStream("x"u8.ToArray()) };
            writer.WriteEntry(file);
        }
        var root = Directory.CreateDirectory(Path.Combine(_dir.Path, "linked")).FullName;
        var refused = Assert.Throws<ShippyarException>(() => new ShippyarDr.Physical.Tar.TarExtractor(root, "link.tar")
            .ExtractAll(new TarReader(new MemoryStream(buffer.ToArray()), "link.tar"), null, default));
        Assert.Contains("symbolic link", refused.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escaped.txt")));
    }

    [Fact]
    public void The_backup_manifest_is_read_as_pg_verifybackup_reads_it()
    {
        var body = "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n" +
                   "{ \"Path\": \"PG_VERSION\", \"Size\": 3, \"Last-Modified\": \"2026-12-01 10:25:43 GMT\", \"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"238903180cc104ec2c5d8b3f20c5bc61b389ec0a967df8cc208cdc7cd454174f\" },\n" +
                   "{ \"Encoded-Path\": \"6261736500\", \"Size\": 0, \"Last-Modified\": \"2026-12-01 10:25:43 GMT\", \"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\" }\n" +
                   "],\n\"WAL-Ranges\": [\n{ \"Timeline\": 1, \"Start-LSN\": \"0/4000028\", \"End-LSN\": \"0/4000100\" }\n],\n";
        var checksum = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant();
        var manifest = BackupManifestFile.Parse(Encoding.UTF8.GetBytes(body + $"\"Manifest-Checksum\": \"{checksum}\"}}\n"), "test");
        Assert.True(manifest.ChecksumMatches);
        Assert.Equal(3, manifest.Files["PG_VERSION"].Size);
        Assert.True(manifest.Files.ContainsKey("base\0"));
        Assert.Equal(new BackupManifestFile.WalRange(1, "0/4000028", "0/4000100"), manifest.WalRanges.Single());

        var changed = BackupManifestFile.Parse(Encoding.UTF8.GetBytes(body.Replace("\"Size\": 3", "\"Size\": 4") + $"\"Manifest-Checksum\": \"{checksum}\"}}\n"), "test");
        Assert.False(changed.ChecksumMatches);
        Assert.Equal(ErrorIds.BackupManifestInvalid, Assert.Throws<ShippyarException>(() => BackupManifestFile.Parse("{ \"Files\": [] }"u8.ToArray(), "test")).ErrorId);
    }

    [Fact]
    public void Settings_in_postgresql_auto_conf_replace_earlier_lines_and_keep_the_others()
    {
        var data = Directory.CreateDirectory(Path.Combine(_dir.Path, "data")).FullName;
        File.WriteAllText(Path.Combine(data, ServerSettings.AutoConfName), "# Do not edit this file manually!\nwork_mem = '64MB'\narchive_mode = 'on'\narchive_mode = 'always'\n");
        ServerSettings.Set(data, new Dictionary<string, string?> { ["archive_mode"] = "off", ["restore_command"] = "shippyar-dr wal-fetch '%f' \"%p\" C:\\wal", ["work_mem"] = null });
        var text = File.ReadAllText(Path.Combine(data, ServerSettings.AutoConfName));
        Assert.Single(text.Split('\n'), l => l.StartsWith("archive_mode", StringComparison.Ordinal));
        Assert.DoesNotContain("work_mem", text);
        Assert.Equal("off", ServerSettings.Get(data, "archive_mode"));
        Assert.Equal("shippyar-dr wal-fetch '%f' \"%p\" C:\\wal", ServerSettings.Get(data, "restore_command"));
        Assert.Null(ServerSettings.Get(data, "recovery_target_time"));
    }

    private static byte[] Tar(params (string Name, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
            foreach (var (name, content) in files)
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        return buffer.ToArray();
    }
}
