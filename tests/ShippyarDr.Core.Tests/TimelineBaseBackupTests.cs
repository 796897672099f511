using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Sandbox;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// A base backup of a cluster that was recovered and promoted once, so that it runs on timeline 2 (every cluster
/// restored by point-in-time recovery does): the manifest names timeline 2 and its segments, the backup carries the
/// timeline's history file, and a scratch copy of it reaches consistency and passes its checks.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TimelineBaseBackupTests : IDisposable
{
    private readonly PostgresSandbox _server = PostgresSandbox.Start();
    private readonly TempDirectory _repo = new("shippyar-timeline-repo-");

    public void Dispose()
    {
        _server.Dispose();
        _repo.Dispose();
    }

    [Fact]
    public void A_base_backup_on_timeline_2_records_it_and_restores()
    {
        _server.Execute("postgres", "CREATE TABLE parcels (id int PRIMARY KEY); INSERT INTO parcels SELECT generate_series(1, 500); CHECKPOINT");
        _server.Stop();
        // Archive recovery with nothing to fetch replays pg_wal to its end and promotes: the cluster moves to timeline 2.
        File.AppendAllText(Path.Combine(_server.DataDirectory, "postgresql.auto.conf"), "restore_command = 'false'\n");
        File.WriteAllBytes(Path.Combine(_server.DataDirectory, "recovery.signal"), []);
        _server.Restart();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_server.QueryScalar("postgres", "SELECT pg_is_in_recovery()::text") == "true" && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Assert.Equal("00000002", _server.QueryScalar("postgres", "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"));
        _server.Execute("postgres", "INSERT INTO parcels SELECT generate_series(501, 600)");

        var repo = new FileSystemRepository(_repo.Path);
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Connection = _server.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast, Storage = new StorageOptions(),
        }, repo);

        var physical = backup.Physical!;
        Assert.Equal((2, 2), (physical.Timeline, physical.StopTimeline));
        Assert.StartsWith("00000002", physical.FirstWalSegment);
        Assert.StartsWith("00000002", physical.LastWalSegment);
        var wal = Shell($"zstd -dc {Path.Combine(repo.Root, backup.Prefix!, physical.WalFile)} | tar -t");
        Assert.Contains("pg_wal/00000002.history", wal);

        var restore = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Restore, Checks =
            [new SqlCheck { Name = "parcels", Database = "postgres", Sql = "SELECT count(*) FROM parcels", Expected = "600" }] }, repo);
        Assert.True(restore.Passed, string.Join("\n", restore.Checks));
        Assert.Contains(restore.Checks, c => c.Name == "Check parcels" && c.Passed);
    }

    private static string Shell(string command)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", new[] { "-c", command }) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
