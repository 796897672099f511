using ShippyarDr.Repository;

namespace ShippyarDr.Status;

/// <summary>
/// Health per database and tier. Alert: no backup, or the last one is older than MaxAge. Warning: the last
/// backup is less than half the median size of the ones before it (a truncated or emptied dump looks like that,
/// whatever the database's absolute size), or backups were interrupted since the last complete one.
/// Safety backups (taken by restores) are not a schedule and are not judged.
/// </summary>
public static class BackupStatusEvaluator
{
    public static IReadOnlyList<BackupStatus> Evaluate(BackupCatalog catalog, string repository, StatusRequest request)
    {
        var contents = catalog.Scan();
        var backups = contents.Backups.Where(b => b.Tier != BackupTier.Safety).ToList();
        // A restore's interrupted safety backup is not a missed Daily one.
        var incomplete = contents.Incomplete.Where(i => i.Tier is not BackupTier.Safety).ToList();
        var unreadable = contents.Unreadable;
        var databases = request.Databases.Count > 0
            ? request.Databases
            : backups.Select(b => b.Database).Concat(incomplete.Select(i => i.Database)).Concat(unreadable.Select(u => u.Database))
                .Distinct(StringComparer.Ordinal).OrderBy(d => d, StringComparer.Ordinal).ToList();

        var result = new List<BackupStatus>();
        foreach (var database in databases)
        {
            var mine = backups.Where(b => b.Database == database).ToList();
            var broken = unreadable.Where(u => u.Database == database).ToList();
            var tiers = mine.Select(b => b.Tier).Concat(broken.Select(u => u.Tier ?? BackupTier.Daily)).Distinct().DefaultIfEmpty(BackupTier.Daily);
            foreach (var tier in tiers.OrderBy(t => t))
            {
                var series = mine.Where(b => b.Tier == tier).OrderByDescending(b => b.EndTime).ToList();
                var status = Judge(database, tier, repository, series,
                    incomplete.Where(i => i.Database == database && (i.Tier ?? BackupTier.Daily) == tier).ToList(), request);
                AlertUnreadable(status, broken.Where(u => (u.Tier ?? BackupTier.Daily) == tier).ToList());
                result.Add(status);
            }
        }
        ReportLeftovers(result, request.Leftovers, backups);
        return result;
    }

    /// <summary>Databases killed runs left on the server, on the row of the database they belong to: a staging or replaced
    /// copy by its target, a scratch copy by the backup it verified. They hold disk, so they are worth a look today.</summary>
    private static void ReportLeftovers(List<BackupStatus> rows, IReadOnlyList<Leftover> leftovers, List<BackupInfo> backups)
    {
        foreach (var group in leftovers.Where(l => !l.OwnedByLiveRun)
                     .GroupBy(l => l.TargetDatabase ?? backups.FirstOrDefault(b => b.Id == l.BackupId)?.Database))
        {
            if (group.Key is null || rows.FirstOrDefault(r => r.Database == group.Key) is not { } row) continue;
            var names = group.Select(l => l.Name).ToList();
            var why = $"{names.Count} database(s) left on {group.First().Server} by killed restores or verifications: {string.Join(", ", names)}.";
            row.LeftoverCount = names.Count;
            row.Reason = row.Status == BackupHealth.OK ? why : $"{row.Reason} {why}";
            row.Status = Max(row.Status, BackupHealth.Warning);
        }
    }

    /// <summary>A manifest that cannot be used is a backup that cannot be restored: act now.</summary>
    private static void AlertUnreadable(BackupStatus status, List<UnreadableBackup> broken)
    {
        status.UnreadableCount = broken.Count;
        if (broken.Count == 0) return;
        var why = $"{broken.Count} backup(s) cannot be used: {broken[0].Error.Message}";
        status.Reason = status.Status == BackupHealth.OK ? why : $"{status.Reason} {why}";
        status.Status = BackupHealth.Alert;
    }

    private static BackupStatus Judge(string database, BackupTier tier, string repository, List<BackupInfo> series,
        List<IncompleteBackup> incomplete, StatusRequest request)
    {
        var status = new BackupStatus { Database = database, Tier = tier, Repository = repository, BackupCount = series.Count };
        if (series.Count == 0)
        {
            status.Status = BackupHealth.Alert;
            status.Reason = $"No complete {tier} backup of {database} in the repository.";
            status.IncompleteCount = incomplete.Count;
            return status;
        }

        var last = series[0];
        status.LastBackupId = last.Id;
        status.LastBackup = last.EndTime;
        status.Age = request.Now - last.EndTime;
        status.LastSize = last.Size;
        var previous = series.Skip(1).Take(request.History).Select(b => b.Size).ToList();
        status.MedianSize = previous.Count > 0 ? Median(previous) : null;
        // Ids sort by start time: an id after the last complete one is a later attempt that never finished.
        status.IncompleteCount = incomplete.Count(i => string.CompareOrdinal(i.Id, last.Id) > 0);

        var reasons = new List<string>();
        var health = BackupHealth.OK;
        var maxAge = request.MaxAge ?? Backup.TierPreset.For(tier).MaxAge;
        if (status.Age > maxAge)
        {
            health = BackupHealth.Alert;
            reasons.Add($"Last backup is {Describe(status.Age.Value)} old (limit {Describe(maxAge)}).");
        }
        if (status.MedianSize is { } median && last.Size < median * request.MinimumSizeRatio)
        {
            health = Max(health, BackupHealth.Warning);
            reasons.Add($"Last backup is {last.Size / 1048576.0:F1} MB, under {request.MinimumSizeRatio:P0} of the median {median / 1048576.0:F1} MB of the {previous.Count} before it: truncated or data lost?");
        }
        if (status.IncompleteCount > 0)
        {
            health = Max(health, BackupHealth.Warning);
            reasons.Add($"{status.IncompleteCount} backup(s) started after the last complete one never finished.");
        }
        status.Status = health;
        status.Reason = reasons.Count == 0 ? $"Last backup {Describe(status.Age.Value)} ago." : string.Join(" ", reasons);
        return status;
    }

    private static BackupHealth Max(BackupHealth a, BackupHealth b) => a > b ? a : b;

    private static long Median(List<long> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static string Describe(TimeSpan span) => span.TotalDays >= 2 ? $"{span.TotalDays:F1} days"
        : span.TotalHours >= 1 ? $"{span.TotalHours:F1} h"
        : $"{Math.Max(0, span.TotalMinutes):F0} min";
}
