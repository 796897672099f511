using System.Globalization;
using ShippyarDr.Backup;

namespace ShippyarDr.Retention;

/// <summary>
/// Decides, without reading or writing anything, what retention keeps and removes: one decision per backup, incomplete
/// folder, unreadable manifest, WAL range and history file, each with its reason. The rules that no policy overrides:
/// the newest complete backup of each database and tier is kept (a month of failed runs never deletes the last good
/// one), so is the newest one that passed verification, a backup under S3 Object Lock is never removed (Locked, with
/// the time it can go), an unreadable manifest is never judged, an incomplete folder whose writer may be alive is
/// never touched, and no WAL is removed that a retained base backup needs to reach any point of the WAL window
/// (<see cref="WalRetention"/>).
/// </summary>
public static class RetentionPlanner
{
    public static List<RetentionDecision> Plan(RetentionInventory inventory, RetentionPolicy policy, RetentionScope scope, DateTimeOffset now)
    {
        policy.Check();
        scope.Check();
        var decisions = new List<RetentionDecision>();
        var anchors = WalRetention.Anchors(inventory, policy, now);
        var backupDecisions = new List<(BackupInfo Backup, RetentionDecision Decision)>();
        foreach (var group in inventory.Backups.GroupBy(b => (b.Database, b.Tier)))
            backupDecisions.AddRange(PlanGroup(group.ToList(), inventory, policy, anchors, now));
        decisions.AddRange(backupDecisions.Select(d => d.Decision).Where(d => scope.Includes(d.Database, d.Tier)));
        decisions.AddRange(inventory.Unreadable.Where(u => scope.Includes(u.Database, u.Tier)).Select(u => new RetentionDecision
        {
            Subject = RetentionSubject.UnreadableBackup, Action = RetentionAction.Keep, Repository = inventory.Repository, Id = u.Id, Database = u.Database,
            Tier = u.Tier, StartTime = BackupId.StartOf(u.Id), Prefix = u.Prefix,
            Reason = $"its manifest cannot be used ({u.Error.Message}): retention never deletes what it cannot judge",
        }));
        decisions.AddRange(inventory.Incomplete.Where(i => scope.Includes(i.Backup.Database, i.Backup.Tier)).Select(i => PlanIncomplete(i, inventory, scope, now)));
        if (scope.IncludesWal)
        {
            var retainedBase = backupDecisions.Where(d => d.Backup.Kind == BackupKind.Physical && d.Decision.Action is RetentionAction.Keep or RetentionAction.Locked)
                .Select(d => d.Backup).ToList();
            foreach (var archive in inventory.Archives)
                decisions.AddRange(WalRetention.Plan(archive, inventory.Repository, retainedBase, anchors.GetValueOrDefault(archive.SystemIdentifier), policy, now));
        }
        return decisions;
    }

    private static IEnumerable<(BackupInfo, RetentionDecision)> PlanGroup(List<BackupInfo> group, RetentionInventory inventory, RetentionPolicy policy,
        IReadOnlyDictionary<string, BackupInfo> anchors, DateTimeOffset now)
    {
        var ordered = group.OrderByDescending(b => b.EndTime).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var reasons = ordered.ToDictionary(b => b, _ => new List<string>());
        // The newest that is authentic (ManifestTrust): a forged newer manifest never stands in for it.
        var newest = inventory.Trust.FirstTrusted(ordered) ?? ordered[0];
        var tierName = $"{newest.Tier} backup of {newest.Database}";
        bool Passed(BackupInfo b) => inventory.Verifications.TryGetValue(b.Prefix ?? "", out var r) && r.Passed;

        foreach (var backup in ordered)
        {
            var rules = policy.RulesFor(backup);
            if (rules.KeepDays is { } days && backup.EndTime >= now.AddDays(-days))
                reasons[backup].Add($"within {days} days ({Age(backup.EndTime, now)} old{(policy.SourceOf(backup) == "manifest" ? ", as its manifest records" : "")})");
        }
        // Grandfather-father-son: per rule, the newest backup of each of the newest N periods that have one. The
        // rules of the newest backup's resolution apply to the group (a tier's policy is one for all its backups).
        var groupRules = policy.RulesFor(newest);
        foreach (var (count, name, period) in new (int?, string, Func<DateTimeOffset, string>)[]
                 {
                     (groupRules.KeepDaily, "daily", t => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                     (groupRules.KeepWeekly, "weekly", t => $"{ISOWeek.GetYear(t.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(t.UtcDateTime):D2}"),
                     (groupRules.KeepMonthly, "monthly", t => t.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
                     (groupRules.KeepYearly, "yearly", t => t.UtcDateTime.ToString("yyyy", CultureInfo.InvariantCulture)),
                 })
        {
            if (count is not > 0) continue;
            foreach (var periodGroup in ordered.GroupBy(b => period(b.EndTime)).Take(count.Value))
                reasons[periodGroup.First()].Add($"kept as the {name} backup of {periodGroup.Key}");
        }
        foreach (var backup in ordered)
            if (anchors.TryGetValue(backup.SystemIdentifier ?? "", out var anchor) && ReferenceEquals(anchor, backup))
                reasons[backup].Add($"the newest base backup that ended before the start of the {policy.WalWindowDays}-day WAL window: recovery to the window's first point starts from it");
        if (inventory.Trust.FirstTrusted(ordered.Where(Passed)) is { } verified)
            reasons[verified].Add($"the newest {tierName} that passed verification (at {inventory.Verifications[verified.Prefix!].VerifiedAt:u})");
        if (reasons[newest].Count == 0) reasons[newest].Add($"the newest complete {tierName}: a tier is never left without a complete backup");
        // One found not authentic is never judged: removing it could be what a forger wants, keeping it harms nothing.
        foreach (var backup in ordered)
            if (inventory.Trust.Found(backup) is { } problem)
                reasons[backup].Insert(0, $"not authentic ({problem}): never counted as the newest or verified one, and never removed by retention; examine it with a verification");

        foreach (var backup in ordered)
        {
            var decision = new RetentionDecision
            {
                Subject = RetentionSubject.Backup, Repository = inventory.Repository, Id = backup.Id, Database = backup.Database, Tier = backup.Tier,
                StartTime = backup.StartTime, EndTime = backup.EndTime, Size = backup.Size, StorageClass = backup.StorageClass,
                LockedUntil = backup.ObjectLockUntil is { } l && l > now ? l : null, Verified = Passed(backup), Prefix = backup.Prefix,
            };
            if (reasons[backup].Count > 0)
            {
                decision.Action = RetentionAction.Keep;
                decision.Reason = string.Join("; ", reasons[backup]);
            }
            else
            {
                var rules = policy.RulesFor(backup);
                var periods = (groupRules.KeepDaily ?? groupRules.KeepWeekly ?? groupRules.KeepMonthly ?? groupRules.KeepYearly) is not null;
                decision.Reason = rules.KeepDays is { } days
                    ? $"older than {days} days ({Age(backup.EndTime, now)} old){(periods ? $", and not the backup of a kept period ({groupRules})" : "")}"
                    : $"not the backup of a kept period ({groupRules})";
                if (decision.LockedUntil is { } until)
                {
                    decision.Action = RetentionAction.Locked;
                    decision.Reason += $"; S3 Object Lock holds it until {until:u}: it can be removed from then on";
                }
                else
                {
                    decision.Action = RetentionAction.Remove;
                    if (inventory.ColdStorageApplies) decision.EarlyDeletion = EarlyDeletion.Charge(backup.StorageClass, backup.Size, backup.EndTime, now);
                    if (decision.EarlyDeletion is { } charge) decision.Reason += $"; deleting it now bills {charge}";
                }
            }
            yield return (backup, decision);
        }
    }

    private static RetentionDecision PlanIncomplete(IncompleteFolder folder, RetentionInventory inventory, RetentionScope scope, DateTimeOffset now)
    {
        var i = folder.Backup;
        var decision = new RetentionDecision
        {
            Subject = RetentionSubject.IncompleteBackup, Repository = inventory.Repository, Id = i.Id, Database = i.Database, Tier = i.Tier,
            StartTime = i.StartTime, Prefix = i.Prefix, FileCount = i.FileCount, Action = RetentionAction.Keep,
        };
        var grace = Diagnostics.Durations.Format(scope.IncompleteGrace);
        var writer = i.Host is null ? "" : $" (process {i.ProcessId} on {i.Host})";
        if (folder.Lease == LeaseState.WriterAlive)
            decision.Reason = $"being written: its writer{writer} is alive";
        else if (i.StartTime is not { } start)
            decision.Reason = "incomplete, and its id says no start time: it is left alone";
        else if (now - start < scope.IncompleteGrace)
            decision.Reason = folder.Lease == LeaseState.Elsewhere
                ? $"incomplete, written from another host{writer} that may still be running, started {Age(start, now)} ago: within the {grace} grace"
                : $"incomplete, started {Age(start, now)} ago: within the {grace} grace";
        else
        {
            decision.Action = RetentionAction.Remove;
            decision.Reason = $"incomplete (no manifest), started {Age(start, now)} ago, beyond the {grace} grace; "
                              + folder.Lease switch
                              {
                                  LeaseState.WriterGone => $"its writer{writer} is gone",
                                  LeaseState.Elsewhere => $"its writer{writer} ran on another host",
                                  _ => "it holds no lease",
                              };
        }
        return decision;
    }

    internal static string Age(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        return age.TotalDays >= 2 ? $"{age.TotalDays:F0} days" : age.TotalHours >= 2 ? $"{age.TotalHours:F0} hours" : $"{Math.Max(0, age.TotalMinutes):F0} minutes";
    }
}
