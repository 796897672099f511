using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Retention;
using ShippyarDr.Verification;
using ShippyarDr.Wal;
using Xunit;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Retention over made-up histories in a real directory repository (real manifests with set times, real WAL pushed
/// through WalPusher): what each policy keeps, and the retention bugs other tools' users met.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SyntheticHistory _h = new();

    public void Dispose() => _h.Dispose();

    private List<RetentionDecision> Plan(RetentionPolicy? policy = null, RetentionScope? scope = null, DateTimeOffset? now = null)
        => new RetentionRunner(_h.Repository).Preview(RetentionPolicy.Resolve(policy, null), scope ?? new RetentionScope(), now: now ?? Now);

    private List<RetentionDecision> RunAll(RetentionPolicy? policy = null, RetentionScope? scope = null, DateTimeOffset? now = null)
        => new RetentionRunner(_h.Repository).Run(RetentionPolicy.Resolve(policy, null), scope ?? new RetentionScope(), _ => true, now: now ?? Now);

    private static HashSet<string> Kept(IEnumerable<RetentionDecision> plan, BackupTier tier)
        => plan.Where(d => d.Subject == RetentionSubject.Backup && d.Tier == tier && d.Action == RetentionAction.Keep).Select(d => d.Id).ToHashSet();

    private static ulong Segment(string name) => WalFileName.Parse(name).SegmentNumber(SyntheticHistory.SegmentSize);

    /// <summary>Seals a synthetic backup's manifest with a MAC under <paramref name="passphrase"/>, as a passphrase backup is.</summary>
    private void Seal(BackupInfo backup, string passphrase)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(8);
        var s2k = Org.BouncyCastle.Bcpg.OpenPgp.PgpUtilities.MakeKeyFromPassPhraseUtf8(Org.BouncyCastle.Bcpg.SymmetricKeyAlgorithmTag.Aes256,
            new Org.BouncyCastle.Bcpg.S2k(Org.BouncyCastle.Bcpg.HashAlgorithmTag.Sha256, salt, 96), passphrase.ToCharArray()).GetKey();
        var mac = new ManifestMac(salt, 96, s2k).Seal(_h.Catalog.ReadManifestBytes(backup));
        _h.Repository.WriteAtomically(BackupLayout.Key(backup, BackupLayout.MacName), mac);
    }

    [Fact]
    public void In_a_repository_of_sealed_backups_a_forged_newer_manifest_never_stands_in_for_the_last_authentic_one()
    {
        const string passphrase = "Retention-Forgery-Passphrase-7731";
        // Months of failed backups: the last good ones are 120 and 150 days old, beyond the 90 days of Daily.
        var older = _h.Daily("app", Now.AddDays(-150));
        var lastGood = _h.Daily("app", Now.AddDays(-120));
        Seal(older, passphrase);
        Seal(lastGood, passphrase);
        // Planted by someone who can write to the repository but holds no passphrase: newer, unsealed or sealed with another one.
        var unsealed = _h.Daily("app", Now.AddDays(-100));
        var wrongSeal = _h.Daily("app", Now.AddDays(-95));
        Seal(wrongSeal, "Not-The-Repository-Passphrase-5520");

        var keys = BackupKeys.Load(passphrase: passphrase.ToCharArray());
        var plan = new RetentionRunner(_h.Repository).Preview(RetentionPolicy.Resolve(null, null), new RetentionScope(), keys, Now)
            .Where(d => d.Subject == RetentionSubject.Backup).ToDictionary(d => d.Id);
        Assert.Equal(RetentionAction.Keep, plan[lastGood.Id].Action);
        Assert.Contains("the newest complete Daily backup of app", plan[lastGood.Id].Reason);
        Assert.Equal(RetentionAction.Remove, plan[older.Id].Action);
        foreach (var forged in new[] { unsealed, wrongSeal })
        {
            Assert.Equal(RetentionAction.Keep, plan[forged.Id].Action);
            Assert.StartsWith("not authentic (", plan[forged.Id].Reason);
        }
        Assert.Contains("MAC does not match", plan[wrongSeal.Id].Reason);

        // Without the passphrase a seal counts by its presence (the keys are what catch one made with another
        // passphrase), but an unsealed manifest still never stands in.
        var blind = new RetentionRunner(_h.Repository).Preview(RetentionPolicy.Resolve(null, null), new RetentionScope(), BackupKeys.None, Now)
            .Where(d => d.Subject == RetentionSubject.Backup).ToDictionary(d => d.Id);
        Assert.Contains("the newest complete", blind[wrongSeal.Id].Reason);
        _h.Repository.Delete(BackupLayout.Key(wrongSeal, BackupLayout.MacName));
        blind = new RetentionRunner(_h.Repository).Preview(RetentionPolicy.Resolve(null, null), new RetentionScope(), BackupKeys.None, Now)
            .Where(d => d.Subject == RetentionSubject.Backup).ToDictionary(d => d.Id);
        Assert.Contains("the newest complete", blind[lastGood.Id].Reason);
        Assert.StartsWith("not authentic (it carries no signature or MAC", blind[wrongSeal.Id].Reason);
        Assert.StartsWith("not authentic (it carries no signature or MAC", blind[unsealed.Id].Reason);

        // A real run removes only the older authentic backup.
        var results = new RetentionRunner(_h.Repository).Run(RetentionPolicy.Resolve(null, null), new RetentionScope(), _ => true, keys, now: Now);
        Assert.Equal(new[] { older.Id }, results.Where(r => r.Action == RetentionAction.Removed).Select(r => r.Id).ToArray());
        Assert.Equal(new[] { lastGood.Id, unsealed.Id, wrongSeal.Id }.ToHashSet(), _h.Catalog.List().Select(b => b.Id).ToHashSet());
        // By hand too: the forged ones do not count as the other complete backups of the tier.
        var refusal = new BackupRemover(_h.Repository).Refusal(_h.Catalog.Get(lastGood.Id), force: false, Now, keys: keys);
        Assert.Equal(ErrorIds.BackupRemovalRefused, refusal!.ErrorId);
        Assert.Contains("only complete Daily backup of app", refusal.Message);
    }

    [Fact]
    public void Four_hundred_days_keep_exactly_the_default_policy_and_the_WAL_the_retained_base_backups_need()
    {
        var day0 = new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-399);
        var daily = new List<BackupInfo>();
        var weekly = new List<BackupInfo>();
        var bases = new List<BackupInfo>();
        for (var d = 0; d < 400; d++)
        {
            var day = day0.AddDays(d);
            daily.Add(_h.Daily("app", day.AddHours(4)));
            if (day.DayOfWeek == DayOfWeek.Sunday)
            {
                weekly.Add(_h.Weekly(day.AddHours(6)));
                bases.Add(_h.Base(day.AddHours(2), 1, (ulong)d + 1));
            }
        }
        _h.Segments(1, 1, 400); // segment d+1 is written on day d

        var plan = Plan();
        Assert.Equal(daily.Where(b => b.EndTime >= Now.AddDays(-90)).Select(b => b.Id).ToHashSet(), Kept(plan, BackupTier.Daily));
        Assert.Equal(90, Kept(plan, BackupTier.Daily).Count);
        Assert.Equal(weekly.Where(b => b.EndTime >= Now.AddDays(-365)).Select(b => b.Id).ToHashSet(), Kept(plan, BackupTier.Weekly));
        var anchor = bases.Where(b => b.EndTime <= Now.AddDays(-30)).MaxBy(b => b.EndTime)!;
        var keptBase = bases.Where(b => b.EndTime >= Now.AddDays(-30)).Append(anchor).Select(b => b.Id).ToHashSet();
        Assert.Equal(keptBase, Kept(plan, BackupTier.Base));
        Assert.Contains("WAL window", plan.Single(d => d.Id == anchor.Id).Reason);
        Assert.Contains("within 90 days", plan.First(d => d.Tier == BackupTier.Daily && d.Action == RetentionAction.Keep).Reason);
        Assert.All(plan.Where(d => d.Subject == RetentionSubject.Backup && d.Action == RetentionAction.Remove), d => Assert.Contains("older than", d.Reason));

        var from = Segment(anchor.Physical!.ArchiveNeededFrom);
        var wal = plan.Where(d => d.Subject == RetentionSubject.WalSegments).ToList();
        Assert.Equal((int)from - 1, wal.Where(d => d.Action == RetentionAction.Remove).Sum(d => d.FileCount));
        Assert.All(wal.Where(d => d.Action == RetentionAction.Remove), d => Assert.True(Segment(d.LastFile!) < from));
        Assert.All(wal.Where(d => d.Action == RetentionAction.Keep), d => Assert.True(Segment(d.FirstFile!) >= from));
        Assert.DoesNotContain(plan, d => d.Subject is RetentionSubject.IncompleteBackup or RetentionSubject.UnreadableBackup);

        var results = RunAll();
        Assert.DoesNotContain(results, r => r.Action is RetentionAction.Failed or RetentionAction.Skipped);
        var left = _h.Catalog.List();
        Assert.Equal(plan.Where(d => d.Subject == RetentionSubject.Backup && d.Action == RetentionAction.Keep).Select(d => d.Id).ToHashSet(), left.Select(b => b.Id).ToHashSet());
        Assert.Empty(_h.Catalog.Incomplete()); // manifests and data both gone
        var archive = new WalArchiveScanner(_h.Repository).Scan().Single().Timelines.Single();
        Assert.Equal(anchor.Physical.ArchiveNeededFrom, archive.OldestSegment);
        Assert.Equal(WalFileName.ForSegment(1, 400, SyntheticHistory.SegmentSize).Name, archive.NewestSegment);
        Assert.Empty(archive.Gaps);
        Assert.False(_h.Repository.Exists(RetentionLock.Key));
        // A second run finds nothing more to remove.
        Assert.DoesNotContain(RunAll(), d => d.Action != RetentionAction.Keep);
    }

    [Fact]
    public void Grandfather_father_son_keeps_the_newest_backup_of_each_kept_period()
    {
        var start = new DateTimeOffset(2025, 1, 1, 3, 0, 0, TimeSpan.Zero);
        var all = new List<BackupInfo>();
        for (var t = start; t < Now; t = t.AddDays(1)) all.Add(_h.Daily("app", t));
        var policy = new RetentionPolicy { Daily = new TierRetention { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, KeepYearly = 3 } };
        var plan = Plan(policy);
        var kept = Kept(plan, BackupTier.Daily);

        var expected = new HashSet<string>();
        expected.UnionWith(all.OrderByDescending(b => b.EndTime).Take(7).Select(b => b.Id));
        expected.UnionWith(all.GroupBy(b => (System.Globalization.ISOWeek.GetYear(b.EndTime.UtcDateTime), System.Globalization.ISOWeek.GetWeekOfYear(b.EndTime.UtcDateTime)))
            .OrderByDescending(g => g.Key).Take(4).Select(g => g.MaxBy(b => b.EndTime)!.Id));
        expected.UnionWith(all.GroupBy(b => (b.EndTime.Year, b.EndTime.Month)).OrderByDescending(g => g.Key).Take(12).Select(g => g.MaxBy(b => b.EndTime)!.Id));
        expected.UnionWith(all.GroupBy(b => b.EndTime.Year).OrderByDescending(g => g.Key).Take(3).Select(g => g.MaxBy(b => b.EndTime)!.Id));
        Assert.Equal(expected, kept);
        // By hand: March 2026's is its last day, 2025's is New Year's Eve; February 2025 is beyond the 12 months.
        var march = plan.Single(d => d.EndTime == new DateTimeOffset(2026, 3, 31, 3, 0, 0, TimeSpan.Zero));
        Assert.Equal(RetentionAction.Keep, march.Action);
        Assert.Contains("kept as the monthly backup of 2026-03", march.Reason);
        Assert.Contains("kept as the yearly backup of 2025", plan.Single(d => d.EndTime == new DateTimeOffset(2025, 12, 31, 3, 0, 0, TimeSpan.Zero)).Reason);
        Assert.Equal(RetentionAction.Remove, plan.Single(d => d.EndTime == new DateTimeOffset(2025, 2, 28, 3, 0, 0, TimeSpan.Zero)).Action);
        Assert.Contains("not the backup of a kept period", plan.First(d => d.Action == RetentionAction.Remove).Reason);

        // In addition to days: 30 days and 3 monthly.
        var both = Kept(Plan(new RetentionPolicy { Daily = new TierRetention { KeepDays = 30, KeepMonthly = 3 } }), BackupTier.Daily);
        var expectedBoth = all.Where(b => b.EndTime >= Now.AddDays(-30)).Select(b => b.Id)
            .Concat(all.GroupBy(b => (b.EndTime.Year, b.EndTime.Month)).OrderByDescending(g => g.Key).Take(3).Select(g => g.MaxBy(b => b.EndTime)!.Id)).ToHashSet();
        Assert.Equal(expectedBoth, both);
    }

    [Fact]
    public void A_month_of_failed_backups_does_not_delete_the_last_good_one_nor_the_newest_verified()
    {
        // Daily backups stopped 120 days ago; the last one verified 200 days ago.
        var backups = Enumerable.Range(0, 100).Select(i => _h.Daily("app", Now.AddDays(-219 + i))).ToList();
        var verified = backups[19]; // ended 200 days ago
        VerificationRecords.Write(_h.Repository, verified, new VerificationResult
        {
            BackupId = verified.Id, Level = VerificationLevel.Catalog, StartTime = Now.AddDays(-199),
            Checks = { new VerificationCheck { Name = "Catalog", Passed = true } },
        }, NullReporter.Instance);
        var failed = backups[50];
        VerificationRecords.Write(_h.Repository, failed, new VerificationResult
        {
            BackupId = failed.Id, Level = VerificationLevel.Catalog, StartTime = Now.AddDays(-150),
            Checks = { new VerificationCheck { Name = "Catalog", Passed = false } },
        }, NullReporter.Instance);
        var plan = Plan();
        var kept = plan.Where(d => d.Action == RetentionAction.Keep).ToList();
        Assert.Equal(new[] { backups[^1].Id, verified.Id }.ToHashSet(), kept.Select(d => d.Id).ToHashSet());
        Assert.Contains("never left without a complete backup", kept.Single(d => d.Id == backups[^1].Id).Reason);
        Assert.Contains("passed verification", kept.Single(d => d.Id == verified.Id).Reason);
        Assert.True(kept.Single(d => d.Id == verified.Id).Verified);
        Assert.False(plan.Single(d => d.Id == failed.Id).Verified);

        RunAll();
        Assert.Equal(new[] { backups[^1].Id, verified.Id }.ToHashSet(), _h.Catalog.List().Select(b => b.Id).ToHashSet());
        // The records of removed backups went with them; the kept one's stayed.
        Assert.False(_h.Repository.Exists(VerificationRecords.Key(failed, VerificationLevel.Catalog)));
        Assert.True(_h.Repository.Exists(VerificationRecords.Key(verified, VerificationLevel.Catalog)));
    }

    [Fact]
    public void After_a_timeline_switch_the_newest_base_backups_by_time_are_kept_whatever_their_WAL_names()
    {
        // Timeline 1 ran to segment 0x60; a point-in-time recovery to segment 0x30 started timeline 2, whose names
        // (000000020000000000000030…) sort below timeline 1's newest segment numbers.
        var old = _h.Base(Now.AddDays(-60), 1, 0x10);
        var beforeSwitch = _h.Base(Now.AddDays(-45), 1, 0x50);
        var afterSwitch = _h.Base(Now.AddDays(-35), 2, 0x32);
        var newest = _h.Base(Now.AddDays(-5), 2, 0x3A);
        _h.Segments(1, 0x10, 0x60);
        _h.History(2, (1, 0x30));
        _h.Segments(2, 0x30, 0x40);

        var plan = Plan();
        Assert.Equal(new[] { afterSwitch.Id, newest.Id }.ToHashSet(), Kept(plan, BackupTier.Base));
        Assert.Contains("WAL window", plan.Single(d => d.Id == afterSwitch.Id).Reason);
        Assert.Equal(RetentionAction.Remove, plan.Single(d => d.Id == beforeSwitch.Id).Action);

        RunAll();
        var names = _h.ArchivedNames();
        // Timeline 2 from the anchor's ArchiveNeededFrom on, and its history; nothing of timeline 1 (no retained backup is on it).
        Assert.Equal(Enumerable.Range(0x32, 0x40 - 0x32 + 1).Select(n => WalFileName.ForSegment(2, (ulong)n, SyntheticHistory.SegmentSize).Name).Append("00000002.history").Order(StringComparer.Ordinal),
            names);
        Assert.Equal(new[] { afterSwitch.Id, newest.Id }.ToHashSet(), _h.Catalog.List().Select(b => b.Id).ToHashSet());
    }

    [Fact]
    public void History_files_stay_while_their_timeline_or_a_later_one_is_in_use_and_an_abandoned_branch_goes()
    {
        // Timeline 2 branched from 1 at 0x20 and was abandoned; timeline 3 branched from 1 at 0x28.
        _h.Base(Now.AddDays(-50), 1, 0x10);
        var anchor = _h.Base(Now.AddDays(-31), 3, 0x2A);
        _h.Base(Now.AddDays(-2), 3, 0x30);
        _h.Segments(1, 0x10, 0x2C);
        _h.History(2, (1, 0x20));
        _h.Segments(2, 0x20, 0x24);
        _h.History(3, (1, 0x28));
        _h.Segments(3, 0x28, 0x34);

        var plan = Plan();
        var histories = plan.Where(d => d.Subject == RetentionSubject.WalHistory).ToDictionary(d => d.Id);
        Assert.Equal(RetentionAction.Keep, histories["00000003.history"].Action);
        Assert.Equal(RetentionAction.Remove, histories["00000002.history"].Action);
        Assert.Contains("leads to no kept segment", histories["00000002.history"].Reason);
        RunAll();
        var names = _h.ArchivedNames();
        Assert.Contains("00000003.history", names);
        Assert.DoesNotContain("00000002.history", names);
        Assert.Equal(anchor.Physical!.ArchiveNeededFrom, names.Where(n => n.StartsWith("00000003", StringComparison.Ordinal) && !n.EndsWith(".history", StringComparison.Ordinal)).First());
        Assert.DoesNotContain(names, n => n.StartsWith("00000002", StringComparison.Ordinal) && n.Length == 24);
    }

    [Fact]
    public void The_first_base_backup_does_not_purge_older_WAL_and_no_base_backup_means_no_WAL_is_removed()
    {
        // A new archive: 20 days of WAL, no base backup yet (pgBackRest #680), then the first one (Barman #712).
        _h.Segments(1, 1, 20);
        var plan = Plan();
        var wal = plan.Where(d => d.Subject == RetentionSubject.WalSegments).ToList();
        Assert.All(wal, d => Assert.Equal(RetentionAction.Keep, d.Action));
        Assert.Contains("no base backup", wal.Single().Reason);

        _h.Base(Now.AddDays(-1), 1, 19);
        wal = Plan().Where(d => d.Subject == RetentionSubject.WalSegments).ToList();
        Assert.All(wal, d => Assert.Equal(RetentionAction.Keep, d.Action));
        Assert.Contains("none is removed", wal.Single().Reason);
        RunAll();
        Assert.Equal(20, _h.ArchivedNames().Count);
    }

    [Fact]
    public void A_short_base_retention_never_removes_WAL_a_retained_base_backup_needs()
    {
        // pgBackRest purged WAL a retained backup needed: here Base keeps 7 days, WAL 30; the backup 31 days old stays with its WAL.
        var bases = Enumerable.Range(0, 10).Select(i => _h.Base(Now.AddDays(-45 + i * 5), 1, (ulong)(1 + i * 5))).ToList();
        _h.Segments(1, 1, 50);
        var policy = new RetentionPolicy { Base = new TierRetention(7) };
        RunAll(policy);
        var left = _h.Catalog.List().OrderBy(b => b.EndTime).ToList();
        var anchor = bases.Where(b => b.EndTime <= Now.AddDays(-30)).MaxBy(b => b.EndTime)!;
        Assert.Equal(anchor.Id, left[0].Id);
        Assert.Equal(bases.Where(b => b.EndTime >= Now.AddDays(-7)).Select(b => b.Id).Prepend(anchor.Id).ToList(), left.Select(b => b.Id).ToList());
        var archive = new WalArchiveScanner(_h.Repository).Scan().Single();
        foreach (var b in left)
            Assert.Empty(archive.MissingBetween(1, b.Physical!.ArchiveNeededFrom, archive.NewestSegment!));
        Assert.Equal(anchor.Physical!.ArchiveNeededFrom, archive.Timelines.Single().OldestSegment);
    }

    [Fact]
    public void Incomplete_backups_go_after_their_grace_unless_a_live_writer_holds_them()
    {
        _h.Daily("app", Now.AddDays(-1));
        string Folder(DateTimeOffset start, BackupLease? lease)
        {
            var id = $"{start.UtcDateTime:yyyyMMdd-HHmmss}D-{Random.Shared.Next():x8}";
            var prefix = BackupLayout.NewPrefix(false, "app", id);
            if (lease is not null) _h.Repository.WriteAtomically(prefix + BackupLayout.LeaseName, lease.Serialize());
            _h.Repository.WriteAtomically(prefix + BackupLayout.DumpName, new byte[100]);
            return prefix;
        }
        var now = DateTimeOffset.UtcNow;
        var abandoned = Folder(now.AddDays(-3), null);
        var young = Folder(now.AddHours(-2), null);
        var live = BackupLease.ForThisProcess();
        using var hold = live.Hold();
        var beingWritten = Folder(now.AddDays(-3), live);
        var dead = BackupLease.ForThisProcess(); // a run of this process that is over: never held
        var leftByDeadRun = Folder(now.AddDays(-2), dead);

        var plan = Plan(now: now).Where(d => d.Subject == RetentionSubject.IncompleteBackup).ToDictionary(d => d.Prefix!);
        Assert.Equal(RetentionAction.Remove, plan[abandoned].Action);
        Assert.Contains("holds no lease", plan[abandoned].Reason);
        Assert.Equal(RetentionAction.Keep, plan[young].Action);
        Assert.Contains("grace", plan[young].Reason);
        Assert.Equal(RetentionAction.Keep, plan[beingWritten].Action);
        Assert.Contains("alive", plan[beingWritten].Reason);
        Assert.Equal(RetentionAction.Remove, plan[leftByDeadRun].Action);
        Assert.Contains("writer", plan[leftByDeadRun].Reason);

        var results = RunAll(now: now);
        Assert.Equal(2, results.Count(r => r.Subject == RetentionSubject.IncompleteBackup && r.Action == RetentionAction.Removed));
        var left = _h.Catalog.Incomplete().Select(i => i.Prefix).ToHashSet();
        Assert.Equal(new[] { young, beingWritten }.ToHashSet(), left);
        // A shorter grace takes the young one too; the live one never.
        RunAll(scope: new RetentionScope { IncompleteGrace = TimeSpan.FromHours(1) }, now: now);
        Assert.Equal(new[] { beingWritten }, _h.Catalog.Incomplete().Select(i => i.Prefix));
    }

    [Fact]
    public async Task Two_retention_runs_at_once_one_waits_and_fails_clearly_and_nothing_is_corrupted()
    {
        var backups = Enumerable.Range(0, 10).Select(i => _h.Daily("app", Now.AddDays(-100 - i))).Append(_h.Daily("app", Now.AddDays(-1))).ToList();
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => new RetentionRunner(_h.Repository).Run(RetentionPolicy.Resolve(null, null), new RetentionScope(), _ =>
        {
            inside.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return true;
        }, now: Now));
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
        var e = Assert.Throws<ShippyarException>(() => new RetentionRunner(_h.Repository).Run(RetentionPolicy.Resolve(null, null), new RetentionScope(), _ => true,
            lockWait: TimeSpan.FromMilliseconds(600), now: Now));
        Assert.Equal(ErrorIds.RetentionInProgress, e.ErrorId);
        Assert.Contains("Another retention run", e.Message);
        // Remove-ShippyarBackup's engine waits for the same lock.
        Assert.Equal(ErrorIds.RetentionInProgress, Assert.Throws<ShippyarException>(() => new BackupRemover(_h.Repository).Remove(backups[0], force: true, lockWait: TimeSpan.FromMilliseconds(300))).ErrorId);
        release.Set();
        var results = await first;
        Assert.Equal(10, results.Count(r => r.Action == RetentionAction.Removed));
        Assert.Equal(new[] { backups[^1].Id }, _h.Catalog.List().Select(b => b.Id));
        Assert.Empty(_h.Catalog.Incomplete());
        Assert.Empty(_h.Catalog.Scan().Unreadable);
        Assert.False(_h.Repository.Exists(RetentionLock.Key));
    }

    [Fact]
    public void A_lock_left_by_a_run_that_is_gone_is_taken_over()
    {
        _h.Repository.WriteAtomically(RetentionLock.Key, BackupLease.ForThisProcess().Serialize()); // never held: its run is over
        _h.Daily("app", Now.AddDays(-200));
        _h.Daily("app", Now.AddDays(-1));
        Assert.Equal(1, RunAll(now: Now).Count(r => r.Action == RetentionAction.Removed));
        Assert.False(_h.Repository.Exists(RetentionLock.Key));
    }

    [Fact]
    public void A_locked_backup_is_never_deleted_and_the_decision_says_when_it_can_go()
    {
        var until = Now.AddDays(10);
        var locked = _h.Daily("app", Now.AddDays(-200), b => b.ObjectLockUntil = until);
        var expired = _h.Daily("app", Now.AddDays(-199), b => b.ObjectLockUntil = Now.AddDays(-1));
        _h.Daily("app", Now.AddDays(-1));
        var decision = Plan().Single(d => d.Id == locked.Id);
        Assert.Equal(RetentionAction.Locked, decision.Action);
        Assert.Equal(until, decision.LockedUntil);
        Assert.Contains($"until {until:u}", decision.Reason);
        Assert.Equal(RetentionAction.Remove, Plan().Single(d => d.Id == expired.Id).Action);
        RunAll();
        Assert.Contains(locked.Id, _h.Catalog.List().Select(b => b.Id));
        Assert.DoesNotContain(expired.Id, _h.Catalog.List().Select(b => b.Id));
        var refusal = new BackupRemover(_h.Repository).Refusal(_h.Catalog.Get(locked.Id), force: true, Now);
        Assert.Equal(ErrorIds.BackupLocked, refusal!.ErrorId);
    }

    [Fact]
    public void An_early_deletion_of_a_cold_backup_on_S3_reports_its_charge()
    {
        var young = _h.Weekly(Now.AddDays(-40));
        _h.Weekly(Now.AddDays(-2));
        var loaded = RetentionInventory.Load(_h.Repository);
        var onS3 = new RetentionInventory { Repository = "s3://bucket/pg", ColdStorageApplies = true, Backups = loaded.Backups };
        var policy = RetentionPolicy.Resolve(new RetentionPolicy { Weekly = new TierRetention(30) }, null);
        var decision = RetentionPlanner.Plan(onS3, policy, new RetentionScope(), Now).Single(d => d.Id == young.Id);
        Assert.Equal(RetentionAction.Remove, decision.Action);
        var charge = decision.EarlyDeletion!;
        Assert.Equal(("GLACIER", 90, 50.0), (charge.StorageClass, charge.MinimumDays, charge.DaysRemaining));
        Assert.Equal(2.0 * 50 / 30, charge.GigabyteMonths, 6);
        Assert.Equal(Math.Round((decimal)(2.0 * 50 / 30) * 0.0036m, 6), charge.EstimatedCostUsd);
        Assert.Contains("us-east-1", charge.PriceBasis);
        Assert.Contains("bills", decision.Reason);
        // A directory repository has no storage classes.
        Assert.Null(RetentionPlanner.Plan(loaded, policy, new RetentionScope(), Now).Single(d => d.Id == young.Id).EarlyDeletion);
    }

    [Fact]
    public void The_policy_given_wins_over_the_registered_one_which_wins_over_the_recorded_retention_and_the_default()
    {
        var recorded = _h.Daily("app", Now.AddDays(-50), b => b.Retention = "40d");
        var plain = _h.Daily("app", Now.AddDays(-50), b => b.Retention = null);
        _h.Daily("app", Now.AddDays(-1));
        var byDefault = Plan();
        Assert.Equal(RetentionAction.Remove, byDefault.Single(d => d.Id == recorded.Id).Action); // its manifest says 40 days
        Assert.Equal(RetentionAction.Keep, byDefault.Single(d => d.Id == plain.Id).Action);      // the Daily default, 90
        var registered = new RetentionPolicy { Daily = new TierRetention(60) };
        var resolved = RetentionPolicy.Resolve(null, registered);
        Assert.Equal(60, resolved.RulesFor(recorded).KeepDays);
        Assert.Equal(30, RetentionPolicy.Resolve(new RetentionPolicy { Daily = new TierRetention(30) }, registered).RulesFor(recorded).KeepDays);
        Assert.Equal(365, RetentionPolicy.Resolve(new RetentionPolicy { Daily = new TierRetention(30) }, registered).RulesFor(_h.Weekly(Now)).KeepDays);
        Assert.Equal(14, RetentionPolicy.Resolve(new RetentionPolicy { WalDays = 14 }, new RetentionPolicy { WalDays = 7 }).WalWindowDays);
        Assert.Equal(ErrorIds.RetentionPolicyInvalid, Assert.Throws<ShippyarException>(() => RetentionPolicy.Resolve(new RetentionPolicy { Daily = new TierRetention(-1) }, null)).ErrorId);
    }

    [Fact]
    public void Removing_by_hand_refuses_the_last_backup_of_a_tier_and_the_newest_verified_one_without_force()
    {
        var older = _h.Daily("app", Now.AddDays(-3));
        var newer = _h.Daily("app", Now.AddDays(-2));
        var only = _h.Daily("other", Now.AddDays(-2));
        var remover = new BackupRemover(_h.Repository);
        Assert.Equal(ErrorIds.BackupRemovalRefused, remover.Refusal(only, force: false, Now)!.ErrorId);
        Assert.Null(remover.Refusal(only, force: true, Now));
        VerificationRecords.Write(_h.Repository, older, new VerificationResult { Level = VerificationLevel.Checksum, StartTime = Now, Checks = { new VerificationCheck { Name = "x", Passed = true } } }, NullReporter.Instance);
        var refused = Assert.Throws<ShippyarException>(() => remover.Remove(older, force: false));
        Assert.Contains("passed verification", refused.Message);
        var removed = remover.Remove(newer, force: false);
        Assert.Equal(RetentionAction.Removed, removed.Action);
        Assert.Equal(new[] { older.Id, only.Id }.ToHashSet(), _h.Catalog.List().Select(b => b.Id).ToHashSet());
        Assert.Empty(_h.Catalog.Incomplete());

        // The base backup recovery to the start of the WAL window starts from.
        var anchor = _h.Base(DateTimeOffset.UtcNow.AddDays(-40), 1, 1);
        var older2 = _h.Base(DateTimeOffset.UtcNow.AddDays(-50), 1, 1);
        _h.Base(DateTimeOffset.UtcNow.AddDays(-1), 1, 9);
        Assert.Contains("WAL window", Assert.Throws<ShippyarException>(() => remover.Remove(anchor, force: false)).Message);
        Assert.Null(remover.Refusal(anchor, force: false, DateTimeOffset.UtcNow, walWindowDays: 45));
        Assert.Equal(RetentionAction.Removed, remover.Remove(older2, force: false).Action);
    }

    private sealed class NoVerificationWrites(IBackupRepository inner) : DelegatingRepository(inner)
    {
        public override void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false)
        {
            if (key.StartsWith(BackupLayout.VerificationRoot, StringComparison.Ordinal))
                throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.S3UploadFailed, $"Writing {key} failed: access denied.", key);
            base.WriteAtomically(key, content, replace);
        }
    }

    [Fact]
    public void A_verification_is_recorded_beside_the_backup_folder_and_a_failed_record_write_is_only_a_warning()
    {
        var backup = _h.Daily("app", Now.AddDays(-1), b => b.Files.Clear());
        var reporter = new RecordingReporter();
        var result = new BackupVerifier(reporter).Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Checksum }, _h.Repository);
        Assert.True(result.Passed);
        Assert.Empty(reporter.Warnings);
        var record = VerificationRecords.Newest(_h.Repository, new[] { backup })[backup.Prefix!];
        Assert.Equal((backup.Id, VerificationLevel.Checksum, true), (record.BackupId, record.Level, record.Passed));
        Assert.StartsWith(BackupLayout.VerificationRoot, VerificationRecords.Key(backup, VerificationLevel.Checksum));
        Assert.DoesNotContain(_h.Repository.List(backup.Prefix!), k => k.EndsWith("Checksum.json", StringComparison.Ordinal));
        Assert.Single(_h.Catalog.List()); // verification/ is not a backup folder

        var failing = new RecordingReporter();
        var again = new BackupVerifier(failing).Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Checksum }, new NoVerificationWrites(_h.Repository));
        Assert.True(again.Passed);
        Assert.Contains("was not recorded", Assert.Single(failing.Warnings));
    }
}
