using System.Buffers.Binary;
using ShippyarDr.Backup;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A repository with a made-up past: manifests with set times (unsealed, no objects behind them) saved through the
/// real catalog, and WAL archived through the real WalPusher from small segments (1 MiB, a wal_segment_size initdb
/// accepts) that start with real long page headers of a made-up cluster.
/// </summary>
public sealed class SyntheticHistory : IDisposable
{
    public const string SystemIdentifier = "7300000000000000001";
    public const int SegmentSize = 1 << 20;
    private readonly TempDirectory _dir = new("shippyar-retention-");
    private readonly TempDirectory _segments = new("shippyar-segments-");
    private int _n;

    public SyntheticHistory() => Repository = new FileSystemRepository(_dir.Path);

    public FileSystemRepository Repository { get; }
    public BackupCatalog Catalog => new(Repository);
    public static ClusterIdentity Cluster => new(SystemIdentifier, 15, SegmentSize);

    public void Dispose()
    {
        _dir.Dispose();
        _segments.Dispose();
    }

    private string NextId(DateTimeOffset start, BackupTier tier) => $"{start.UtcDateTime:yyyyMMdd-HHmmss}{tier.ToString()[0]}-{_n++:x8}";

    public BackupInfo Daily(string database, DateTimeOffset end, Action<BackupInfo>? change = null)
    {
        var b = new BackupInfo
        {
            Id = NextId(end.AddMinutes(-10), BackupTier.Daily), Database = database, Tier = BackupTier.Daily, StartTime = end.AddMinutes(-10), EndTime = end,
            Size = 50_000_000, Retention = "90d", StorageClass = "STANDARD_IA", SystemIdentifier = SystemIdentifier,
            Files = { new BackupFile { Name = BackupLayout.DumpName, Format = "custom" } },
        };
        change?.Invoke(b);
        Catalog.Save(b);
        return Catalog.Get(b.Id, database);
    }

    public BackupInfo Weekly(DateTimeOffset end, Action<BackupInfo>? change = null)
    {
        var b = new BackupInfo
        {
            Id = NextId(end.AddMinutes(-30), BackupTier.Weekly), Database = BackupEngine.ClusterScope, Tier = BackupTier.Weekly, StartTime = end.AddMinutes(-30), EndTime = end,
            Size = 2_000_000_000, Retention = "365d", StorageClass = "GLACIER", SystemIdentifier = SystemIdentifier,
            Files = { new BackupFile { Name = "001-app.dump", Format = "custom" } },
            Databases = { new ClusterDatabase { Name = "app", File = "001-app.dump" } },
        };
        change?.Invoke(b);
        Catalog.Save(b);
        return Catalog.Get(b.Id, BackupEngine.ClusterScope);
    }

    /// <summary>A base backup starting in segment <paramref name="segment"/> of <paramref name="timeline"/> (its ArchiveNeededFrom).</summary>
    public BackupInfo Base(DateTimeOffset end, uint timeline, ulong segment, Action<BackupInfo>? change = null)
    {
        var first = WalFileName.ForSegment(timeline, segment, SegmentSize).Name;
        var startLsn = segment * SegmentSize + 0x28;
        var b = new BackupInfo
        {
            Id = NextId(end.AddMinutes(-5), BackupTier.Base), Kind = BackupKind.Physical, Tier = BackupTier.Base, Database = BackupEngine.ClusterScope,
            StartTime = end.AddMinutes(-5), EndTime = end, Size = 5_000_000_000, Retention = "30d", StorageClass = "STANDARD", SystemIdentifier = SystemIdentifier,
            Files = { new BackupFile { Name = "base.tar.zst", Format = "tar" }, new BackupFile { Name = "pg_wal.tar.zst", Format = "tar" },
                      new BackupFile { Name = "backup_manifest.zst", Format = "backup_manifest" } },
            Physical = new PhysicalBackupInfo
            {
                Timeline = (int)timeline, StopTimeline = (int)timeline, StartLsn = WalPosition.Format(startLsn), StopLsn = WalPosition.Format(startLsn + 0x1000),
                StartTime = end.AddMinutes(-5), StopTime = end, WalSegmentSize = SegmentSize, FirstWalSegment = first, LastWalSegment = first, ArchiveNeededFrom = first,
                BaseFile = "base.tar.zst", WalFile = "pg_wal.tar.zst", ManifestFile = "backup_manifest.zst",
            },
        };
        change?.Invoke(b);
        Catalog.Save(b);
        return Catalog.Get(b.Id, BackupEngine.ClusterScope);
    }

    /// <summary>Archives segments <paramref name="from"/>..<paramref name="to"/> of a timeline through WalPusher.</summary>
    public void Segments(uint timeline, ulong from, ulong to)
    {
        for (var n = from; n <= to; n++)
        {
            var name = WalFileName.ForSegment(timeline, n, SegmentSize);
            var path = Path.Combine(_segments.Path, name.Name);
            var content = new byte[SegmentSize];
            BinaryPrimitives.WriteUInt16LittleEndian(content, 0xD110);            // XLOG_PAGE_MAGIC of PostgreSQL 15
            BinaryPrimitives.WriteUInt16LittleEndian(content.AsSpan(2), 0x0002);  // XLP_LONG_HEADER
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(4), timeline);
            BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan(8), n * SegmentSize);
            BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan(24), ulong.Parse(SystemIdentifier));
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(32), SegmentSize);
            BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(36), 8192);
            BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan(40), n);      // something of its own past the header
            File.WriteAllBytes(path, content);
            new WalPusher(Repository).Push(new WalPushRequest { SourcePath = path, Cluster = Cluster });
            File.Delete(path);
        }
    }

    /// <summary>Archives the history file of <paramref name="timeline"/>: each line a parent timeline and where it branched off.</summary>
    public void History(uint timeline, params (uint Parent, ulong SwitchSegment)[] switches)
    {
        var path = Path.Combine(_segments.Path, $"{timeline:X8}.history");
        File.WriteAllText(path, string.Concat(switches.Select(s => $"{s.Parent}\t{WalPosition.Format(s.SwitchSegment * SegmentSize)}\tno recovery target specified\n")));
        new WalPusher(Repository).Push(new WalPushRequest { SourcePath = path, Cluster = Cluster });
        File.Delete(path);
    }

    /// <summary>The archived files' names, by the real scanner's view (manifests only).</summary>
    public IReadOnlyList<string> ArchivedNames()
        => Repository.List(WalLayout.ArchivePrefix(SystemIdentifier)).Select(WalLayout.Parse).Where(k => k is { IsManifest: true }).Select(k => k!.Name.Name).Order(StringComparer.Ordinal).ToList();
}
