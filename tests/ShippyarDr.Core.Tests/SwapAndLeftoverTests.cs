using Npgsql;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;
using ShippyarDr.Repository;
using ShippyarDr.Restore;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The swap commits both renames at once; a run that dies after the commit leaves only the old copy, which is found
/// as a leftover, removed on request, and dropped by the next restore of the same target.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SwapAndLeftoverTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class KilledHere : Exception;

    private (BackupInfo, IBackupRepository) Backup(string database)
    {
        var repo = new FileSystemRepository(_dir.Path);
        return (new BackupEngine().Run(new BackupRequest { Database = database, Connection = fixture.Sandbox.Connection }, repo), repo);
    }

    private List<Leftover> LeftoversOf(string target) => LeftoverFinder.Find(fixture.Sandbox.Connection).Where(l => l.TargetDatabase == target).ToList();

    [Fact]
    public void A_restore_killed_between_the_swap_and_the_drop_leaves_the_target_intact_and_the_next_restore_repairs_it()
    {
        var (backup, repo) = Backup(SandboxFixture.SampleDatabase);
        var target = fixture.CloneSample("swapped");
        fixture.Sandbox.Execute(target, "DELETE FROM order_items WHERE order_id < 50");
        fixture.Sandbox.Execute("postgres", $"COMMENT ON DATABASE {target} IS 'the DBA''s own note'");
        var request = new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection, ReplaceExisting = true };

        Assert.Throws<KilledHere>(() => new RestoreEngine(new HookReporter("Dropping the replaced copy", () => throw new KilledHere())).Run(request, repo));

        // The restored data is in place and takes connections; the DBA's note stayed with the name.
        Assert.Equal(backup.Tables.Single(t => t.Name == "order_items").Rows.ToString(), fixture.Sandbox.QueryScalar(target, "SELECT count(*) FROM order_items"));
        Assert.Equal("true", fixture.Sandbox.QueryScalar("postgres", $"SELECT datallowconn::text FROM pg_database WHERE datname = '{target}'"));
        Assert.Equal("the DBA's own note", fixture.Sandbox.QueryScalar("postgres", $"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{target}'"));
        var leftover = Assert.Single(LeftoversOf(target));
        Assert.Equal(LeftoverKind.Replaced, leftover.Kind);
        Assert.False(leftover.OwnedByLiveRun);
        Assert.False(leftover.InUse);
        Assert.Equal(backup.Id, leftover.BackupId);
        Assert.StartsWith("shippyar_replaced_" + leftover.RunToken + "_", leftover.Name);
        Assert.True(leftover.Size > 0);
        // The old data is what was replaced.
        Assert.NotEqual(fixture.Sandbox.QueryScalar(target, "SELECT count(*) FROM order_items"), fixture.Sandbox.QueryScalar(leftover.Name, "SELECT count(*) FROM order_items"));

        var reporter = new HookReporter();
        var rerun = new RestoreEngine(reporter).Run(request, repo);
        Assert.True(rerun.Passed);
        Assert.Contains(reporter.Warnings, w => w.Contains($"Dropped {leftover.Name}", StringComparison.Ordinal) && w.Contains("already replaced", StringComparison.Ordinal));
        Assert.Empty(LeftoversOf(target));
    }

    [Fact]
    public void Remove_drops_a_dead_leftover_and_refuses_one_in_use_or_not_ours()
    {
        var (backup, repo) = Backup(SandboxFixture.SampleDatabase);
        var target = fixture.CloneSample("killed");
        var request = new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection, ReplaceExisting = true };
        Assert.Throws<KilledHere>(() => new RestoreEngine(new HookReporter("Dropping the replaced copy", () => throw new KilledHere())).Run(request, repo));
        var leftover = Assert.Single(LeftoversOf(target));

        using (var looking = PgSession.Open(fixture.Sandbox.Connection, leftover.Name))
        {
            Assert.Equal(1, Assert.Single(LeftoversOf(target)).Sessions);
            var busy = Assert.Throws<ShippyarException>(() => LeftoverCleaner.Remove(fixture.Sandbox.Connection, leftover.Name));
            Assert.Equal("LeftoverInUse", busy.ErrorId);
            Assert.Equal(1, new NpgsqlCommand("SELECT 1", looking).ExecuteScalar());
        }
        Assert.Equal("NotALeftover", Assert.Throws<ShippyarException>(() => LeftoverCleaner.Remove(fixture.Sandbox.Connection, target)).ErrorId);
        LeftoverCleaner.Remove(fixture.Sandbox.Connection, leftover.Name);
        Assert.Empty(LeftoversOf(target));
        Assert.Equal("LeftoverNotFound", Assert.Throws<ShippyarException>(() => LeftoverCleaner.Remove(fixture.Sandbox.Connection, leftover.Name)).ErrorId);
    }

    [Fact]
    public void A_leftover_from_before_tokens_that_is_a_template_copy_is_listed_and_removed()
    {
        // What restoring over template1 used to leave: a template-marked copy that DROP DATABASE refuses.
        var name = "shippyar_replaced_20200101_000000d_" + Guid.NewGuid().ToString("n")[..4];
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {name} IS_TEMPLATE true");
        var leftover = Assert.Single(LeftoverFinder.Find(fixture.Sandbox.Connection), l => l.Name == name);
        Assert.Equal((LeftoverKind.Replaced, (string?)null, false), (leftover.Kind, leftover.RunToken, leftover.InUse));
        LeftoverCleaner.Remove(fixture.Sandbox.Connection, name);
        Assert.Equal("0", fixture.Sandbox.QueryScalar("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
    }

    [Fact]
    public void A_verification_drops_the_scratch_database_an_interrupted_verification_of_the_same_backup_left()
    {
        var (backup, repo) = Backup(SandboxFixture.SampleDatabase);
        var request = new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection };
        // What a verification killed by kill -9 leaves (its finally never ran): a scratch database whose run is gone.
        var deadToken = RunNaming.NewToken();
        var scratch = RunNaming.DatabaseName(LeftoverKind.Scratch, deadToken, backup.Id);
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {scratch}");
        fixture.Sandbox.Execute("postgres", $"COMMENT ON DATABASE {scratch} IS '{RunNaming.Note(LeftoverKind.Scratch, deadToken, backup.Id, null)}'");
        var leftover = Assert.Single(LeftoverFinder.Find(fixture.Sandbox.Connection), l => l.BackupId == backup.Id);
        Assert.Equal((LeftoverKind.Scratch, scratch, deadToken, false), (leftover.Kind, leftover.Name, leftover.RunToken, leftover.OwnedByLiveRun));

        var reporter = new HookReporter();
        Assert.True(new BackupVerifier(reporter).Run(request, repo).Passed);
        Assert.Contains(reporter.Warnings, w => w.Contains($"Dropped {leftover.Name}", StringComparison.Ordinal));
        Assert.DoesNotContain(LeftoverFinder.Find(fixture.Sandbox.Connection), l => l.BackupId == backup.Id);
    }

    [Fact]
    public void A_session_that_connects_between_ending_the_sessions_and_the_renames_makes_the_swap_try_again()
    {
        var (backup, repo) = Backup(SandboxFixture.SampleDatabase);
        var target = fixture.CloneSample("busy");
        var sessions = new List<NpgsqlConnection> { PgSession.Open(fixture.Sandbox.Connection, target) };
        try
        {
            // Right after the swap ended the first session, another connects: the renames fail (55006) and are tried again.
            var reporter = new HookReporter("Ended ", () =>
            {
                if (sessions.Count == 1) sessions.Add(PgSession.Open(fixture.Sandbox.Connection, target));
            });
            var result = new RestoreEngine(reporter).Run(new RestoreRequest { Backup = backup, TargetDatabase = target, Connection = fixture.Sandbox.Connection, ReplaceExisting = true }, repo);
            Assert.True(result.ReplacedExisting);
            Assert.Equal(2, sessions.Count);
            Assert.Contains(reporter.Verbose, v => v.StartsWith($"A session connected to {target} during the swap; trying again", StringComparison.Ordinal));
            Assert.Equal(2, reporter.Verbose.Count(v => v.StartsWith("Ended 1 session(s)", StringComparison.Ordinal)));
            Assert.Equal(backup.Tables.Single(t => t.Name == "orders").Rows.ToString(), fixture.Sandbox.QueryScalar(target, "SELECT count(*) FROM orders"));
            Assert.Empty(LeftoversOf(target));
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
    }

    [Fact]
    public void Partial_backups_are_leftovers_once_they_are_a_day_old()
    {
        var (backup, repo) = Backup(SandboxFixture.SampleDatabase);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "shippyar", "20200101-000000D-dead"));
        File.WriteAllText(Path.Combine(_dir.Path, "shippyar", "20200101-000000D-dead", "data.dump.zst"), "partial");
        var fresh = BackupId.New(DateTimeOffset.UtcNow, BackupTier.Daily);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "shippyar", fresh));
        File.WriteAllText(Path.Combine(_dir.Path, "shippyar", fresh, "data.dump.zst"), "being written");

        var found = PartialBackupLeftovers.Find(repo, DateTimeOffset.UtcNow);
        Assert.Equal(new[] { ("shippyar/20200101-000000D-dead", false), ($"shippyar/{fresh}", true) }, found.Select(l => (l.Name, l.OwnedByLiveRun)));
        Assert.All(found, l => Assert.Equal((LeftoverKind.PartialBackup, repo.Location), (l.Kind, l.Repository)));

        Assert.Equal("LeftoverInUse", Assert.Throws<ShippyarException>(() => PartialBackupLeftovers.Remove(repo, $"shippyar/{fresh}", DateTimeOffset.UtcNow)).ErrorId);
        Assert.Equal("LeftoverNotFound", Assert.Throws<ShippyarException>(() => PartialBackupLeftovers.Remove(repo, $"shippyar/{backup.Id}", DateTimeOffset.UtcNow)).ErrorId);
        PartialBackupLeftovers.Remove(repo, "shippyar/20200101-000000D-dead", DateTimeOffset.UtcNow);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "shippyar", "20200101-000000D-dead", "data.dump.zst")));
        Assert.Equal($"shippyar/{fresh}", Assert.Single(PartialBackupLeftovers.Find(repo, DateTimeOffset.UtcNow)).Name);
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(repo).List()).Id);
    }
}
