using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Recovery;
using ShippyarDr.Repository;
using ShippyarDr.Retention;
using ShippyarDr.Sandbox;
using ShippyarDr.Tools;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Retention on a real cluster archiving through shippyar-dr: after it removed an older base backup and the WAL before
/// the retained one, a point-in-time recovery inside the retained window still recovers exactly what was committed.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RetentionRecoveryTests(ArchivingCluster cluster) : IClassFixture<ArchivingCluster>, IDisposable
{
    private readonly TempDirectory _work = Reachable();
    private PostgresSandbox Sandbox => cluster.Sandbox;
    private FileSystemRepository Repo => new(cluster.Repository);

    public void Dispose() => _work.Dispose();

    private static TempDirectory Reachable()
    {
        var dir = new TempDirectory("shippyar-retention-pitr-");
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        return dir;
    }

    private BackupInfo BaseBackup() => new BackupEngine().Run(new BackupRequest { Connection = Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, Repo);

    private void SwitchAndWait() => cluster.WaitArchived(WalSegments.Switch(Sandbox));

    private DateTimeOffset ServerNow() => DateTimeOffset.Parse(Sandbox.QueryScalar("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")!);

    private IReadOnlyList<WalFileName> Archived()
        => Repo.List(WalLayout.ArchivePrefix(Sandbox.QueryScalar("postgres", "SELECT system_identifier FROM pg_control_system()")!))
            .Select(WalLayout.Parse).Where(k => k is { IsManifest: true, Name.IsSegment: true }).Select(k => k!.Name).Distinct().Order().ToList();

    [Fact]
    public void After_retention_removed_an_old_base_backup_and_its_WAL_a_target_in_the_window_still_recovers()
    {
        Sandbox.Execute("postgres", "CREATE TABLE kept_window (id int PRIMARY KEY); INSERT INTO kept_window SELECT generate_series(1, 100)");
        var old = BaseBackup();
        Sandbox.Execute("postgres", "INSERT INTO kept_window SELECT generate_series(101, 200)");
        SwitchAndWait();
        SwitchAndWait();
        var retained = BaseBackup();
        Sandbox.Execute("postgres", "INSERT INTO kept_window SELECT generate_series(201, 250)");
        Thread.Sleep(1100);
        var target = ServerNow();
        Thread.Sleep(1100);
        Sandbox.Execute("postgres", "DELETE FROM kept_window");
        SwitchAndWait();
        var before = Archived();

        // Base keeps nothing by days and the WAL window starts now: only the newest base backup, and the WAL from its ArchiveNeededFrom, stay.
        var policy = RetentionPolicy.Resolve(new RetentionPolicy { Base = new TierRetention(0), WalDays = 0 }, null);
        var results = new RetentionRunner(Repo).Run(policy, new RetentionScope(), _ => true);
        Assert.Equal(RetentionAction.Removed, results.Single(d => d.Id == old.Id).Action);
        Assert.Equal(RetentionAction.Keep, results.Single(d => d.Id == retained.Id).Action);
        Assert.DoesNotContain(results, d => d.Action is RetentionAction.Failed or RetentionAction.Skipped);
        Assert.Equal(new[] { retained.Id }, new BackupCatalog(Repo).List().Where(b => b.Tier == BackupTier.Base).Select(b => b.Id));

        var after = Archived();
        var neededFrom = WalFileName.Parse(retained.Physical!.ArchiveNeededFrom);
        var removed = before.Except(after).ToList();
        Assert.NotEmpty(removed);
        Assert.All(removed, n => Assert.True(n.CompareTo(neededFrom) < 0, $"{n} removed, but {retained.Id} needs from {neededFrom}"));
        Assert.Equal(neededFrom, after.First());
        Assert.Equal(before.Where(n => n.CompareTo(neededFrom) >= 0), after);

        var data = Path.Combine(_work.Path, "data");
        var result = new PointInTimeRestore().Run(new PointInTimeRestoreRequest
        {
            Target = RecoveryTarget.AtTime(target), DataDirectory = data, Start = true, RecoveryTimeout = TimeSpan.FromMinutes(2),
            RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = cluster.Repository },
        }, Repo);
        try
        {
            Assert.Equal(retained.Id, result.BackupId);
            using var conn = Connection.PgSession.Open(Sandbox.Connection.WithServer("127.0.0.1", result.Port!.Value), "postgres");
            using var cmd = new Npgsql.NpgsqlCommand("SELECT count(*) FROM kept_window", conn);
            Assert.Equal(250L, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            if (PostmasterPid.Read(data) is { } pid && pid.ProcessExists())
                ServerAccount.Default.RunAs(PgToolLocator.Find("pg_ctl").Path, "-D", data, "-m", "immediate", "-w", "stop");
        }
    }
}
