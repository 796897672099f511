using System.Globalization;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Recovery;

/// <summary>
/// Checks, before anything is restored, that the WAL archive holds every segment a recovery from a base backup to a
/// target replays: from the backup's ArchiveNeededFrom along the timelines to the newest one (its .history file names
/// where each branched off; recovery_target_timeline is 'latest'), up to the segment the target needs. Without that a
/// recovery to 'latest' would stop at the first gap and promote silently with the rest lost, and one to a time would
/// fail only after the restore. Where a time target is passed is judged by when segments were archived (a segment
/// archived at or before the target holds only records from before it, so every one of those is needed); a gap after
/// the first segment archived later is reported as a warning, since its records may or may not pass the target.
/// </summary>
public sealed class WalCoverage
{
    private readonly IBackupRepository _repository;
    private readonly WalArchiveInfo _archive;
    private readonly ClusterIdentity _cluster;
    private readonly BackupKeys _keys;
    private readonly IOperationReporter _reporter;

    public WalCoverage(IBackupRepository repository, WalArchiveInfo archive, BackupKeys keys, IOperationReporter? reporter = null)
    {
        _repository = repository;
        _archive = archive;
        _keys = keys;
        _reporter = reporter ?? NullReporter.Instance;
        _cluster = new ClusterIdentity(archive.SystemIdentifier, archive.PostgresMajorVersion, archive.WalSegmentSize);
    }

    private int Size => _archive.WalSegmentSize;

    /// <summary>One timeline's stretch of a recovery's WAL, in segment numbers (both included).</summary>
    public sealed record Stretch(uint Timeline, ulong From, ulong To);

    /// <summary>What the recovery replays from the archive: the stretches it reads, and the newest segment of them.</summary>
    public sealed record Plan(IReadOnlyList<Stretch> Stretches, string? LastSegment, int SegmentCount);

    /// <summary>Throws WalSegmentMissing naming the first missing segment, or RecoveryTargetBeyondArchive; returns the plan.</summary>
    public Plan Require(BackupInfo backup, RecoveryTarget target)
    {
        var physical = backup.Physical!;
        var path = TimelinePath(backup);
        var needed = Cut(path, target, backup);
        var missing = needed.SelectMany(s => Missing(s)).FirstOrDefault();
        if (missing is not null)
        {
            var (mayPass, firstLater) = target.Kind == RecoveryTargetKind.Time ? ArchivedAfterTarget(needed, missing, target) : (false, null);
            if (mayPass)
                _reporter.Warning($"The WAL archive lacks {Describe(missing)}, after {firstLater}, the first segment archived after the target: if the target lies beyond {firstLater}, recovery will stop there and fail.");
            else
                throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalSegmentMissing,
                    $"The WAL archive of cluster {_archive.SystemIdentifier} in {_archive.Repository} lacks {Describe(missing)}: recovery from base backup {backup.Id} to {target} "
                    + $"replays every segment from {physical.ArchiveNeededFrom}{(target.Kind is RecoveryTargetKind.Latest or RecoveryTargetKind.Xid or RecoveryTargetKind.Name ? " to the newest archived one" : " to the target")}. Nothing was restored.",
                    missing.FirstMissing);
        }
        var stretches = needed.Where(s => s.To >= s.From).ToList();
        var last = stretches.LastOrDefault();
        var count = stretches.Sum(s => (int)(s.To - s.From + 1));
        return new Plan(stretches, last is null ? null : WalFileName.ForSegment(last.Timeline, last.To, Size).Name, count);
    }

    /// <summary>The stretches from the backup's start to the newest archived segment of the newest timeline that descends from the backup's.</summary>
    internal List<Stretch> TimelinePath(BackupInfo backup)
    {
        var physical = backup.Physical!;
        var start = WalFileName.Parse(physical.ArchiveNeededFrom);
        var origin = start.Timeline;
        var newest = _archive.Timelines.Select(t => t.Timeline).Where(t => t >= origin).DefaultIfEmpty(origin).Max();
        var stretches = new List<Stretch>();
        var from = start.SegmentNumber(Size);
        if (newest != origin)
        {
            var historyName = WalFileName.Parse($"{newest:X8}.history");
            var history = new WalFetcher(_repository, _reporter).ReadFile(_cluster, historyName, _keys)
                ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalSegmentMissing,
                    $"The WAL archive of cluster {_archive.SystemIdentifier} in {_archive.Repository} holds timeline {newest} but not its history file {historyName.Name}: recovery cannot follow it. Nothing was restored.",
                    historyName.Name);
            var switches = WalTimelineSwitch.Parse(history);
            var at = switches.ToList().FindIndex(s => s.ParentTimeline == origin);
            var stop = WalFileName.ParseLsn(physical.StopLsn);
            if (at < 0 || switches[at].SwitchLsn < stop)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.WalTimelineNotDescendant,
                    $"The newest timeline of the WAL archive, {newest}, does not descend from base backup {backup.Id} (timeline {origin}, stop {physical.StopLsn})"
                    + (at < 0 ? "." : $": it branched off at {WalPosition.Format(switches[at].SwitchLsn)}, before the backup ended.") + " Nothing was restored.", backup.Id);
            for (var i = at; i < switches.Count; i++)
            {
                var switchSegment = switches[i].SwitchLsn / (ulong)Size;
                stretches.Add(new Stretch(switches[i].ParentTimeline, from, switchSegment == 0 ? 0 : switchSegment - 1));
                from = switchSegment;
            }
        }
        var newestSegment = _archive.Timelines.FirstOrDefault(t => t.Timeline == newest)?.NewestSegment is { } n ? WalFileName.Parse(n).SegmentNumber(Size) : (ulong?)null;
        // On the backup's own timeline the archive must hold at least ArchiveNeededFrom; a newer timeline may have archived
        // nothing yet but its history file (recovery then reads the parent's copy of the segment it branched in).
        var to = newestSegment is { } e && e >= from ? e : stretches.Count == 0 ? from : from - 1;
        stretches.Add(new Stretch(newest, from, to));
        return stretches;
    }

    /// <summary>The stretches cut where the target is reached (an LSN's segment), or whole (the newest segment) for the others.</summary>
    private List<Stretch> Cut(List<Stretch> path, RecoveryTarget target, BackupInfo backup)
    {
        if (target.Kind != RecoveryTargetKind.Lsn) return RequireReachable(path, target, backup);
        var segment = WalFileName.ParseLsn(target.Value!) / (ulong)Size;
        var end = path[^1].To;
        if (segment > end)
            throw Beyond(backup, target, $"the newest archived segment is {WalFileName.ForSegment(path[^1].Timeline, end, Size).Name}");
        return path.Where(s => s.From <= segment).Select(s => s.To > segment ? s with { To = segment } : s).ToList();
    }

    /// <summary>A time target after the newest archived segment was archived cannot be reached: PostgreSQL would end recovery before it and refuse to start.</summary>
    private List<Stretch> RequireReachable(List<Stretch> path, RecoveryTarget target, BackupInfo backup)
    {
        if (target.Kind != RecoveryTargetKind.Time) return path;
        var last = path.Last(s => s.To >= s.From);
        var newest = WalFileName.ForSegment(last.Timeline, last.To, Size);
        var at = ArchivedAt(newest);
        var when = DateTimeOffset.Parse(target.Value!, CultureInfo.InvariantCulture);
        if (at is { } a && a <= when)
            throw Beyond(backup, target, $"the newest archived segment, {newest.Name}, was archived at {a:u}, and nothing archived holds a record from after the target");
        return path;
    }

    private ShippyarException Beyond(BackupInfo backup, RecoveryTarget target, string why)
        => new(ShippyarErrorKind.InvalidArgument, ErrorIds.RecoveryTargetBeyondArchive,
            $"Recovery from base backup {backup.Id} to {target} cannot reach the target: {why}. Recover to the newest point instead, or wait until the WAL after the target is archived. Nothing was restored.",
            target.ToString());

    private IEnumerable<WalGap> Missing(Stretch s)
    {
        if (s.To < s.From) return Array.Empty<WalGap>();
        return _archive.MissingBetween(s.Timeline, WalFileName.ForSegment(s.Timeline, s.From, Size).Name, WalFileName.ForSegment(s.Timeline, s.To, Size).Name);
    }

    /// <summary>Whether a segment before the gap was archived after the target (then the gap may lie beyond it); binary search, as archive times grow with segments.</summary>
    private (bool, string?) ArchivedAfterTarget(List<Stretch> needed, WalGap gap, RecoveryTarget target)
    {
        var when = DateTimeOffset.Parse(target.Value!, CultureInfo.InvariantCulture);
        var gapSegment = WalFileName.Parse(gap.FirstMissing);
        var before = needed.Where(s => s.To >= s.From)
            .SelectMany(s => Enumerable.Range(0, (int)(s.To - s.From + 1)).Select(i => WalFileName.ForSegment(s.Timeline, s.From + (ulong)i, Size)))
            .TakeWhile(n => n.Timeline != gapSegment.Timeline || n.SegmentNumber(Size) < gapSegment.SegmentNumber(Size)).ToList();
        int lo = 0, hi = before.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (ArchivedAt(before[mid]) is { } a && a > when) hi = mid;
            else lo = mid + 1;
        }
        return lo < before.Count ? (true, before[lo].Name) : (false, null);
    }

    /// <summary>When a segment was archived, by its manifest (a planning aid, not a trust decision: the fetch checks the seal).</summary>
    private DateTimeOffset? ArchivedAt(WalFileName name)
    {
        var key = _repository.ListStartingWith(WalLayout.Folder(_archive.SystemIdentifier, name), WalLayout.NamePrefix(name))
            .Select(WalLayout.Parse).FirstOrDefault(k => k is { IsManifest: true } && k.Name.Name == name.Name);
        if (key is null) return null;
        try { return SealedWalManifest.Parse(_repository.ReadAllBytes(key.Key, SealedWalManifest.MaxSize), key.Key).Manifest.ArchivedAt; }
        catch (ShippyarException) { return null; }
    }

    private static string Describe(WalGap gap) => gap.MissingCount == 1 ? $"segment {gap.FirstMissing}" : $"segment {gap.FirstMissing} (and {gap.MissingCount - 1} more, to {gap.LastMissing})";

}
