using ShippyarDr.Backup;
using ShippyarDr.Wal;

namespace ShippyarDr.Retention;

/// <summary>
/// Which WAL a cluster's archive keeps. The window start is now minus the WAL days; the anchor is the newest base
/// backup that ended at or before it, found by the backups' end times from their manifests, never by WAL file names
/// (after a timeline switch the newest backups may sort lower by name: WAL-G's bug). Recovery to the window's first
/// point starts from the anchor, so the anchor is retained, and every segment from its ArchiveNeededFrom on is kept,
/// on its timeline and every later one; so are the segments every newer retained base backup needs from its own
/// ArchiveNeededFrom (one on a timeline of its own). Older retained base backups (kept by a monthly rule, say) restore
/// on their own, with the WAL they carry, and do not hold WAL back. Without an anchor (no base backup ended before
/// the window start, so the WAL before the oldest one may lie inside the window: Barman's first-backup bug) or without
/// any retained base backup, no WAL is removed. A history file is kept while any kept segment or retained backup is on
/// its timeline, a later one, or a timeline descending from it.
/// </summary>
public static class WalRetention
{
    /// <summary>Per archive (system identifier), the newest base backup ending at or before the window start.</summary>
    public static IReadOnlyDictionary<string, BackupInfo> Anchors(RetentionInventory inventory, RetentionPolicy policy, DateTimeOffset now)
    {
        var windowStart = now.AddDays(-policy.WalWindowDays);
        // An anchor that is not authentic would set where the kept WAL begins: the next older authentic one is taken.
        return inventory.Backups.Where(b => b.Kind == BackupKind.Physical && b.Physical is not null && b.SystemIdentifier is not null && b.EndTime <= windowStart)
            .GroupBy(b => b.SystemIdentifier!)
            .Select(g => (g.Key, Anchor: inventory.Trust.FirstTrusted(g.OrderByDescending(b => b.EndTime).ThenByDescending(b => b.Id, StringComparer.Ordinal))))
            .Where(a => a.Anchor is not null)
            .ToDictionary(a => a.Key, a => a.Anchor!);
    }

    public static IEnumerable<RetentionDecision> Plan(WalArchiveFiles archive, string repository, IReadOnlyList<BackupInfo> retainedBase, BackupInfo? anchor,
        RetentionPolicy policy, DateTimeOffset now)
    {
        var size = archive.WalSegmentSize;
        var windowStart = now.AddDays(-policy.WalWindowDays);
        var ours = retainedBase.Where(b => b.SystemIdentifier == archive.SystemIdentifier && b.Physical is { ArchiveNeededFrom.Length: > 0 }).ToList();
        string? keepAll = ours.Count == 0
            ? $"no base backup of cluster {archive.SystemIdentifier} is retained: without one, what the WAL is needed for cannot be judged, so none is removed"
            : anchor is null || !ours.Contains(anchor)
                ? $"no base backup of cluster {archive.SystemIdentifier} ended before the start of the {policy.WalWindowDays}-day WAL window ({windowStart:u}): the WAL before the oldest one may lie inside the window, so none is removed"
                : null;
        // Each needing backup: from its ArchiveNeededFrom on, on its timeline and every later one.
        var needs = keepAll is not null ? new List<(BackupInfo Backup, uint Timeline, ulong From)>()
            : ours.Where(b => b.EndTime >= anchor!.EndTime).Select(b => (b, WalFileName.Parse(b.Physical!.ArchiveNeededFrom)))
                .Select(x => (Backup: x.b, x.Item2.Timeline, From: x.Item2.SegmentNumber(size))).ToList();

        string? Needed(WalFileName name)
        {
            var number = name.SegmentNumber(size);
            foreach (var (backup, timeline, from) in needs.OrderBy(n => n.Backup.EndTime))
                if (name.Timeline >= timeline && number >= from)
                    return ReferenceEquals(backup, anchor)
                        ? $"needed by base backup {backup.Id} (from {backup.Physical!.ArchiveNeededFrom}) to reach every point from the start of the {policy.WalWindowDays}-day WAL window"
                        : $"needed by retained base backup {backup.Id} (from {backup.Physical!.ArchiveNeededFrom})";
            return null;
        }

        var segments = archive.Files.Where(f => f.Name.Kind != WalFileKind.History)
            .OrderBy(f => f.Name.Timeline).ThenBy(f => f.Name.SegmentNumber(size)).ThenBy(f => f.Name.Name, StringComparer.Ordinal).ToList();
        var judged = segments.Select(f =>
        {
            if (keepAll is not null) return (File: f, Keep: true, Reason: keepAll);
            if (Needed(f.Name) is { } why) return (File: f, Keep: true, Reason: why);
            return (File: f, Keep: false, Reason: $"before {anchor!.Physical!.ArchiveNeededFrom}, where recovery from base backup {anchor.Id} (the newest ending before the start of the {policy.WalWindowDays}-day WAL window, {windowStart:u}) starts; no retained base backup needs it");
        }).ToList();

        var decisions = new List<RetentionDecision>();
        foreach (var run in Runs(judged))
        {
            var first = run[0];
            var last = run[^1];
            decisions.Add(new RetentionDecision
            {
                Subject = RetentionSubject.WalSegments, Action = first.Keep ? RetentionAction.Keep : RetentionAction.Remove, Reason = first.Reason,
                Repository = repository, Id = first.File.Name.Name, Database = BackupEngine.ClusterScope, SystemIdentifier = archive.SystemIdentifier,
                Timeline = first.File.Name.Timeline, FirstFile = first.File.Name.Name, LastFile = last.File.Name.Name, FileCount = run.Count,
                Keys = run.SelectMany(r => r.File.ManifestKeys).Concat(run.SelectMany(r => r.File.DataKeys)).ToList(),
            });
        }

        // Timelines in use: the kept segments', the needing backups' (start and stop), and their ancestors.
        var used = judged.Where(j => j.Keep).Select(j => j.File.Name.Timeline)
            .Concat(ours.SelectMany(b => new[] { (uint)b.Physical!.Timeline, (uint)Math.Max(b.Physical.StopTimeline, b.Physical.Timeline) })).ToHashSet();
        var lowest = used.Count == 0 ? uint.MaxValue : used.Min();
        var ancestors = new HashSet<uint>();
        if (archive.Histories is { } histories)
            foreach (var timeline in used)
                if (histories.TryGetValue(timeline, out var switches))
                    foreach (var s in switches) ancestors.Add(s.ParentTimeline);
        foreach (var history in archive.Files.Where(f => f.Name.Kind == WalFileKind.History).OrderBy(f => f.Name.Timeline))
        {
            var t = history.Name.Timeline;
            var (keep, reason) = keepAll is not null ? (true, keepAll)
                : archive.Histories is null ? (true, "the archive's history files could not all be read: none is removed")
                : t >= lowest ? (true, $"timeline {t} is in use by a kept segment or retained base backup, or is later than all of them (a recovery may follow it)")
                : ancestors.Contains(t) ? (true, $"timeline {t} is an ancestor of a timeline in use")
                : (false, $"timeline {t} leads to no kept segment or retained base backup (the oldest in use is {lowest})");
            decisions.Add(new RetentionDecision
            {
                Subject = RetentionSubject.WalHistory, Action = keep ? RetentionAction.Keep : RetentionAction.Remove, Reason = reason,
                Repository = repository, Id = history.Name.Name, Database = BackupEngine.ClusterScope, SystemIdentifier = archive.SystemIdentifier,
                Timeline = t, FirstFile = history.Name.Name, LastFile = history.Name.Name, FileCount = 1,
                Keys = history.ManifestKeys.Concat(history.DataKeys).ToList(),
            });
        }
        return decisions;
    }

    /// <summary>Consecutive files of one timeline with the same verdict and reason.</summary>
    private static IEnumerable<List<(WalArchivedFile File, bool Keep, string Reason)>> Runs(List<(WalArchivedFile File, bool Keep, string Reason)> judged)
    {
        var run = new List<(WalArchivedFile File, bool Keep, string Reason)>();
        foreach (var j in judged)
        {
            if (run.Count > 0 && (run[0].File.Name.Timeline != j.File.Name.Timeline || run[0].Keep != j.Keep || run[0].Reason != j.Reason))
            {
                yield return run;
                run = new();
            }
            run.Add(j);
        }
        if (run.Count > 0) yield return run;
    }
}
