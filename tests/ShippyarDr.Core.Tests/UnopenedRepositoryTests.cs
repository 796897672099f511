using System.Diagnostics;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Repositories that cannot be opened when a backup starts (a silent S3 store, a missing directory), through
/// <see cref="BackupTargets"/> and the engine, against the real sandbox PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class UnopenedRepositoryTests(SandboxFixture fixture)
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    private sealed class RecordingReporter : IOperationReporter
    {
        public List<ShippyarException> Errors { get; } = new();
        public void Progress(string activity, string status, int percentComplete = -1) { }
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void Error(ShippyarException error) => Errors.Add(error);
    }

    private static S3RepositoryOptions Silent(SilentEndpoint endpoint) => new()
    {
        Endpoint = endpoint.Endpoint, ForcePathStyle = true, AccessKey = "key", SecretKey = "never-Answered-Secret-31",
        ConnectTimeout = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1), MaxRetries = 1,
    };

    private BackupRequest Request() => new() { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection };

    private static BackupTargets Open(IReadOnlyList<string> locations, S3RepositoryOptions s3)
        => BackupTargets.Open(locations, l => RepositoryFactory.Open(l, s3));

    [Fact]
    public void A_silent_S3_store_beside_a_local_directory_is_left_out_and_reported_and_the_backup_completes_locally()
    {
        using var dir = new TempDirectory();
        using var silent = SilentEndpoint.Accepting();
        var s3 = Silent(silent);
        var reporter = new RecordingReporter();
        var clock = Stopwatch.StartNew();

        var targets = Open(new[] { dir.Path, "s3://silent-bucket/daily" }, s3);
        var stored = new BackupEngine(reporter).Run(Request(), targets);

        Assert.True(clock.Elapsed < s3.MaxWait + Slack + TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        var backup = Assert.Single(stored);
        Assert.Equal(Path.GetFullPath(dir.Path), backup.Repository);
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(new FileSystemRepository(dir.Path)).List()).Id);
        var error = Assert.Single(reporter.Errors);
        Assert.Equal(("RepositoryTimeout", "s3://silent-bucket/daily"), (error.ErrorId, error.Target));
        Assert.Contains($"Backup {backup.Id} could not be stored in s3://silent-bucket/daily, which could not be opened", error.Message);
        Assert.Contains($"127.0.0.1:{silent.Port}", error.Message);
        Assert.EndsWith($"It is complete in {backup.Repository}.", error.Message);
    }

    [Fact]
    public void Two_silent_stores_are_waited_for_at_once_and_a_missing_directory_is_reported_with_its_own_reason()
    {
        using var dir = new TempDirectory();
        using var silentA = SilentEndpoint.Accepting();
        using var silentB = SilentEndpoint.Accepting();
        var missing = Path.Combine(dir.Path, "not-mounted");
        var reporter = new RecordingReporter();
        var clock = Stopwatch.StartNew();

        var targets = BackupTargets.Open(new[] { "s3://silent-a/x", missing, dir.Path, "s3://silent-b/x" },
            l => RepositoryFactory.Open(l, Silent(l.Contains("silent-a") ? silentA : silentB)));

        // Both stores timed out in the time one takes.
        Assert.True(clock.Elapsed < Silent(silentA).MaxWait + Slack, $"took {clock.Elapsed}");
        Assert.Equal(new[] { Path.GetFullPath(dir.Path) }, targets.Opened.Select(r => r.Location));
        Assert.Equal(new[] { "s3://silent-a/x", missing, "s3://silent-b/x" }, targets.Failed.Select(f => f.Location));
        var stored = new BackupEngine(reporter).Run(Request(), targets);
        Assert.Single(stored);
        Assert.Equal(new[] { "RepositoryTimeout", "RepositoryNotFound", "RepositoryTimeout" }, reporter.Errors.Select(e => e.ErrorId));
        Assert.All(reporter.Errors, e => Assert.Contains($"could not be stored in {e.Target}", e.Message));
    }

    [Fact]
    public void With_no_repository_opened_the_backup_fails_with_the_reason_and_reports_the_others()
    {
        using var dir = new TempDirectory();
        using var silent = SilentEndpoint.Accepting();
        var s3 = Silent(silent);
        var missing = Path.Combine(dir.Path, "not-mounted");
        var reporter = new RecordingReporter();
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<ShippyarException>(() => new BackupEngine(reporter).Run(Request(), Open(new[] { missing, "s3://silent-bucket/x" }, s3)));

        Assert.True(clock.Elapsed < s3.MaxWait + Slack, $"took {clock.Elapsed}");
        Assert.Equal(("RepositoryTimeout", ShippyarErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.Equal("RepositoryNotFound", Assert.Single(reporter.Errors).ErrorId);
        // Nothing was dumped: pg_dump never started, so no backup exists anywhere.
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_single_silent_store_fails_the_backup_within_the_documented_bound()
    {
        using var silent = SilentEndpoint.Accepting();
        var s3 = Silent(silent);
        var reporter = new RecordingReporter();
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<ShippyarException>(() => new BackupEngine(reporter).Run(Request(), Open(new[] { "s3://silent-bucket/x" }, s3)));

        Assert.Equal("RepositoryTimeout", e.ErrorId);
        Assert.Contains("timed out", e.Message);
        Assert.Empty(reporter.Errors);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), s3.MaxWait + Slack);
    }
}
