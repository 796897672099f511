using System.Diagnostics;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Core.Tests;

/// <summary>Partial backups left by killed runs: their lease tells them from backups still being written.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LeaseTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class Lines : IOperationReporter
    {
        public List<string> All { get; } = new();
        public void Progress(string activity, string status, int percentComplete = -1) { }
        public void Verbose(string message) => All.Add(message);
        public void Warning(string message) => All.Add(message);
        public void Error(ShippyarException error) { }
    }

    /// <summary>A folder as a run killed mid-dump leaves it: its lease and part of the data, no manifest.</summary>
    private string LeftBy(string host, int pid, DateTimeOffset? processStart)
    {
        var id = BackupId.New(DateTimeOffset.UtcNow.AddMinutes(-10), BackupTier.Daily);
        var folder = Path.Combine(_dir.Path, "backup", "db", SandboxFixture.SampleDatabase, id);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, BackupLayout.LeaseName),
            new BackupLease { Host = host, ProcessId = pid, ProcessStart = processStart, Started = DateTimeOffset.UtcNow.AddMinutes(-10), RunId = "gone" }.Serialize());
        File.WriteAllText(Path.Combine(folder, "data.dump.zst"), "the first megabytes");
        return id;
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void The_next_run_removes_what_a_killed_run_of_this_host_left_and_keeps_what_another_host_is_writing()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var killed = LeftBy(Environment.MachineName, DeadPid(), DateTimeOffset.UtcNow.AddMinutes(-11));
        var elsewhere = LeftBy("db02.example", 4242, null);
        var incomplete = new BackupCatalog(repo).Incomplete();
        Assert.Equal(2, incomplete.Count);
        Assert.Contains(incomplete, i => i.Id == elsewhere && i.Host == "db02.example" && i.ProcessId == 4242);

        var reporter = new Lines();
        new BackupEngine(reporter).Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection }, repo);

        var left = Assert.Single(new BackupCatalog(repo).Incomplete());
        Assert.Equal(elsewhere, left.Id);
        Assert.Contains(reporter.All, l => l.Contains($"Removed the partial backup {killed}", StringComparison.Ordinal));
        // The complete backup keeps no lease.
        var complete = Assert.Single(new BackupCatalog(repo).List());
        Assert.False(File.Exists(Path.Combine(_dir.Path, complete.Prefix!, BackupLayout.LeaseName)));
    }

    [Fact]
    public void A_lease_of_a_live_process_is_never_taken_for_a_killed_one()
    {
        using var self = Process.GetCurrentProcess();
        var lease = BackupLease.ForThisProcess();
        using (lease.Hold()) Assert.False(lease.WriterIsGone());
        Assert.True(lease.WriterIsGone());   // this process, but a run of it that is over
        using var init = Process.GetProcessById(1);
        Assert.False(new BackupLease { Host = Environment.MachineName, ProcessId = 1, ProcessStart = init.StartTime.ToUniversalTime() }.WriterIsGone());
        // A reused pid: the process running under it started at another time.
        Assert.True(new BackupLease { Host = Environment.MachineName, ProcessId = 1, ProcessStart = init.StartTime.ToUniversalTime().AddDays(-3) }.WriterIsGone());
    }
}
