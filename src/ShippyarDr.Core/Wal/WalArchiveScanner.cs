using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Wal;

/// <summary>
/// Lists what a repository's WAL archives hold (what Get-ShippyarWalArchive shows and a recovery planner checks):
/// one listing of the archive's keys, the manifests counted as the archived files (a data object without one is a
/// push that died midway and is not part of the archive), and one manifest read for the newest segment's time.
/// </summary>
public sealed class WalArchiveScanner
{
    private readonly IBackupRepository _repository;

    public WalArchiveScanner(IBackupRepository repository) => _repository = repository;

    /// <summary>Every archive in the repository, or only the archive of <paramref name="systemIdentifier"/>.</summary>
    public IReadOnlyList<WalArchiveInfo> Scan(string? systemIdentifier = null)
    {
        var ids = systemIdentifier is null ? WalArchiveRecords.SystemIdentifiers(_repository) : new[] { systemIdentifier };
        var result = new List<WalArchiveInfo>();
        foreach (var id in ids)
        {
            if (WalArchiveRecords.Read(_repository, id) is not { } record) continue;
            result.Add(Describe(record));
        }
        return result;
    }

    private WalArchiveInfo Describe(WalArchiveRecord record)
    {
        var keys = _repository.List(WalLayout.ArchivePrefix(record.SystemIdentifier)).Select(WalLayout.Parse).Where(k => k is not null).Select(k => k!).ToList();
        var manifests = keys.Where(k => k.IsManifest).ToList();
        var referenced = manifests.Select(m => (m.Name.Name, m.ShaPrefix)).ToHashSet();
        var unreferenced = keys.Count(k => !k.IsManifest && !referenced.Contains((k.Name.Name, k.ShaPrefix)));
        var conflicts = manifests.GroupBy(m => m.Name.Name).Where(g => g.Count() > 1).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        var size = record.WalSegmentSize;
        var timelines = manifests.GroupBy(m => m.Name.Timeline).OrderBy(g => g.Key).Select(g =>
        {
            var segments = g.Where(m => m.Name.IsSegment).Select(m => m.Name).Distinct().Order().ToList();
            var ranges = WalChain.Ranges(segments, size);
            return new WalTimelineInfo
            {
                Timeline = g.Key, HasHistoryFile = g.Any(m => m.Name.Kind == WalFileKind.History),
                OldestSegment = segments.FirstOrDefault()?.Name, NewestSegment = segments.LastOrDefault()?.Name, SegmentCount = segments.Count,
                Ranges = ranges, Gaps = WalChain.Gaps(ranges, g.Key, size),
                PartialFiles = g.Where(m => m.Name.Kind == WalFileKind.Partial).Select(m => m.Name.Name).Distinct().Order(StringComparer.Ordinal).ToList(),
                BackupFiles = g.Where(m => m.Name.Kind == WalFileKind.BackupLabel).Select(m => m.Name.Name).Distinct().Order(StringComparer.Ordinal).ToList(),
            };
        }).ToList();
        var newest = manifests.Where(m => m.Name.IsSegment).OrderBy(m => m.Name).LastOrDefault();
        return new WalArchiveInfo
        {
            Repository = _repository.Location, SystemIdentifier = record.SystemIdentifier, PostgresMajorVersion = record.PostgresMajorVersion,
            WalSegmentSize = size, Sealed = record.Sealed, CreatedAt = record.CreatedAt, Timelines = timelines,
            NewestSegment = newest?.Name.Name, NewestArchivedAt = newest is null ? null : ArchivedAt(newest),
            Conflicts = conflicts, UnreferencedObjects = unreferenced,
        };
    }

    /// <summary>When a file was archived, by its manifest (not authenticated: a report, not a decision).</summary>
    private DateTimeOffset? ArchivedAt(WalKey key)
    {
        try { return SealedWalManifest.Parse(_repository.ReadAllBytes(key.Key, SealedWalManifest.MaxSize), key.Key).Manifest.ArchivedAt; }
        catch (ShippyarException) { return null; }
    }
}
