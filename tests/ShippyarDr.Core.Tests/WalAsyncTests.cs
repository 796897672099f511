using ShippyarDr.Cluster;
using ShippyarDr.Authentication;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.Sandbox;
using ShippyarDr.Wal;
using ShippyarDr.Wal.Async;
using Xunit.Abstractions;

namespace ShippyarDr.Core.Tests;

/// <summary>The asynchronous modes: archive_command handing segments to a background pusher, and prefetch for restore_command.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WalAsyncTests(SandboxFixture shared, AsyncArchivingCluster cluster, ITestOutputHelper output) : IClassFixture<AsyncArchivingCluster>
{
    private PostgresSandbox Sandbox => cluster.Sandbox;

    [Fact]
    public void A_burst_of_segments_is_archived_through_the_background_pusher_with_nothing_left_waiting()
    {
        var before = cluster.WaitArchived("");
        var last = "";
        for (var i = 0; i < 8; i++) last = WalSegments.Switch(Sandbox, rows: 20_000);
        var (archived, failed) = cluster.WaitArchived(last, TimeSpan.FromSeconds(120));
        Assert.True(archived >= before.Archived + 8, $"archived_count {archived}, was {before.Archived}");
        Assert.Equal(0, failed);
        var identity = ClusterIdentity.FromDataDirectory(Sandbox.DataDirectory);
        var timeline = Assert.Single(Assert.Single(new WalArchiveScanner(new FileSystemRepository(cluster.Repository)).Scan(identity.SystemIdentifier)).Timelines);
        Assert.Empty(timeline.Gaps);
        Assert.Equal(last, timeline.NewestSegment);
        Assert.Contains("by the background pusher", File.ReadAllText(Sandbox.LogFile));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cluster.Spool, identity.SystemIdentifier, "push"), "*.want"));
    }

    [Fact]
    public void A_failure_of_the_background_pusher_reaches_archive_command_and_success_is_never_reported_for_it()
    {
        var segment = WalSegments.Switch(Sandbox);
        cluster.WaitArchived(segment);
        var impostor = Path.Combine(Sandbox.RootDirectory, "async-impostor");
        Directory.CreateDirectory(impostor);
        var changed = File.ReadAllBytes(Path.Combine(Sandbox.DataDirectory, "pg_wal", segment));
        changed[200_000] ^= 0x01;
        File.WriteAllBytes(Path.Combine(impostor, segment), changed);
        ServerAccount.Default.GiveOwnership(impostor);
        var (exit, stderr) = ShippyarCli.Run(Sandbox.DataDirectory, "wal-push", Path.Combine(impostor, segment), "--repository", cluster.Repository,
            "--async", "--spool-directory", cluster.Spool, "--async-timeout", "60s");
        output.WriteLine(stderr);
        Assert.Equal(5, exit);
        Assert.Contains("WalDuplicateDiffers", stderr);

        // A repository that cannot be opened: no confirmation ever comes, and wal-push fails after its timeout.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var spool = Path.Combine(Sandbox.RootDirectory, "dead-spool");
        Directory.CreateDirectory(spool);
        ServerAccount.Default.GiveOwnership(spool);
        var next = WalSegments.Switch(Sandbox);
        var (timedOut, why) = ShippyarCli.Run(Sandbox.DataDirectory, "wal-push", $"pg_wal/{next}", "--repository", "/nonexistent/repository",
            "--async", "--spool-directory", spool, "--async-timeout", "3s");
        output.WriteLine(why);
        Assert.Equal(9, timedOut);
        Assert.Contains("WalAsyncTimeout", why);
        Assert.InRange(clock.Elapsed.TotalSeconds, 3, 30);
        Directory.Delete(impostor, true);
    }

    [Fact]
    public void Prefetched_segments_are_checked_again_when_handed_over()
    {
        using var repo = new TempDirectory();
        using var work = new TempDirectory();
        using var spoolDir = new TempDirectory();
        var identity = WalSegments.Identity(shared.Sandbox);
        var repository = new FileSystemRepository(repo.Path);
        var segments = Enumerable.Range(0, 4).Select(_ => WalSegments.SwitchAndCopy(shared.Sandbox, work.Path)).ToList();
        foreach (var s in segments) new WalPusher(repository).Push(new WalPushRequest { SourcePath = s, Cluster = identity });
        var spool = new WalSpool(spoolDir.Path, identity.SystemIdentifier);
        var prefetcher = new WalPrefetcher(spool, new WalFetcher(repository), Diagnostics.NullReporter.Instance) { Depth = 8 };
        var first = WalFileName.Parse(Path.GetFileName(segments[0]));
        Assert.Equal(3, prefetcher.Run(identity, first, BackupKeys.None)); // stops at the first segment the archive does not hold
        var second = first.Next(16 << 20);
        var destination = Path.Combine(work.Path, "RECOVERYXLOG");
        Assert.True(prefetcher.TryTake(second, destination));
        Assert.Equal(File.ReadAllBytes(segments[1]), File.ReadAllBytes(destination));
        Assert.False(File.Exists(Path.Combine(spool.FetchDirectory, second.Name)));

        var third = second.Next(16 << 20);
        var spooled = Path.Combine(spool.FetchDirectory, third.Name);
        var bytes = File.ReadAllBytes(spooled);
        bytes[1234] ^= 0x10;
        File.WriteAllBytes(spooled, bytes);
        Assert.False(prefetcher.TryTake(third, destination)); // changed in the spool: not handed over, fetched again by the caller
        Assert.False(File.Exists(spooled));
        Assert.Equal(File.ReadAllBytes(segments[1]), File.ReadAllBytes(destination));
    }
}
