using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Two runs of the same backup at the same time, on two threads that meet at a barrier with their restored copies
/// both in place: each run names its databases with its own token, so neither drops the other's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrentRunsTests(SandboxFixture fixture) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (BackupInfo, IBackupRepository) Backup()
    {
        var repo = new FileSystemRepository(_dir.Path);
        return (new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection }, repo), repo);
    }

    /// <summary>The leftovers of this test's backup (other tests share the server).</summary>
    private List<Leftover> Leftovers(BackupInfo backup) => LeftoverFinder.Find(fixture.Sandbox.Connection).Where(l => l.BackupId == backup.Id).ToList();

    [Fact]
    public async Task Two_restores_of_one_backup_into_different_targets_at_once_both_succeed_and_a_live_run_is_never_a_removable_leftover()
    {
        var (backup, repo) = Backup();
        var targets = new[] { fixture.UniqueName("twin_a"), fixture.UniqueName("twin_b") };
        using var bothRestored = new Barrier(2);
        var seenWhileRunning = new List<Leftover>();
        ShippyarException? refused = null;
        var runs = targets.Select((target, i) => Task.Run(() => new RestoreEngine(new HookReporter("Checking the restored data", () =>
        {
            Assert.True(bothRestored.SignalAndWait(Patience));
            if (i == 0)
            {
                // Both runs are live with their staging copies: found, owned, and not removable.
                seenWhileRunning.AddRange(Leftovers(backup));
                refused = Assert.Throws<ShippyarException>(() => LeftoverCleaner.Remove(fixture.Sandbox.Connection, seenWhileRunning[0].Name));
            }
            Assert.True(bothRestored.SignalAndWait(Patience));
        })).Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo))).ToArray();

        var results = await Task.WhenAll(runs).WaitAsync(Patience * 2);
        Assert.All(results, r => Assert.True(r.Passed));
        var orders = fixture.Sandbox.QueryScalar(SandboxFixture.SampleDatabase, "SELECT count(*) FROM orders");
        Assert.All(targets, t => Assert.Equal(orders, fixture.Sandbox.QueryScalar(t, "SELECT count(*) FROM orders")));

        Assert.Equal(2, seenWhileRunning.Count(l => l.Kind == LeftoverKind.Staging && l.OwnedByLiveRun && l.InUse));
        Assert.Equal(targets.Order(), seenWhileRunning.Select(l => l.TargetDatabase!).Order());
        Assert.All(seenWhileRunning, l => Assert.Equal(backup.Id, l.BackupId));
        Assert.NotEqual(seenWhileRunning[0].RunToken, seenWhileRunning[1].RunToken);
        Assert.Equal("LeftoverInUse", refused!.ErrorId);
        Assert.Empty(Leftovers(backup));
    }

    [Fact]
    public async Task Two_restore_verifications_of_one_backup_at_once_both_pass()
    {
        var (backup, repo) = Backup();
        using var bothRestored = new Barrier(2);
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => new BackupVerifier(new HookReporter("Checking the restored data",
                () => Assert.True(bothRestored.SignalAndWait(Patience))))
            .Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, repo))).ToArray();

        var results = await Task.WhenAll(runs).WaitAsync(Patience * 2);
        Assert.All(results, r => Assert.True(r.Passed, string.Join("\n", r.Checks)));
        Assert.NotEqual(results[0].ScratchDatabase, results[1].ScratchDatabase);
        Assert.Empty(Leftovers(backup));
    }

    [Fact]
    public void A_second_restore_into_the_same_target_while_one_runs_is_refused_and_changes_nothing()
    {
        var (backup, repo) = Backup();
        var target = fixture.UniqueName("same_target");
        ShippyarException? refused = null;
        var first = new RestoreEngine(new HookReporter("Checking the restored data", () =>
            refused = Assert.Throws<ShippyarException>(() => new RestoreEngine().Run(
                new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo))))
            .Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection }, repo);
        Assert.True(first.Passed);
        Assert.Equal(ErrorIds.TargetBeingRestored, refused!.ErrorId);
        Assert.Contains("ShippyarDr run ", refused.Message);
        // The claim ends with the run: a restore after it goes ahead.
        Assert.True(new RestoreEngine().Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection, ReplaceExisting = true }, repo).Passed);
    }
}
