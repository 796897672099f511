using System.Diagnostics;
using System.Security.Cryptography;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Stores that stop answering: a socket that accepts and stays silent, one that accepts nothing, and (through the
/// gateway in front of the real s3rver) answers that stall, uploads that get no answer, and slow links that keep moving.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class S3TimeoutTests(SandboxFixture fixture, S3Server s3) : IClassFixture<S3Server>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);
    // Scheduling slack on a busy 2-core machine, on top of the documented bound.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);
    private readonly string _prefix = "to-" + Guid.NewGuid().ToString("n")[..8];

    private static S3RepositoryOptions Silent(SilentEndpoint endpoint, TimeSpan connectTimeout, TimeSpan timeout, int maxRetries) => new()
    {
        Endpoint = endpoint.Endpoint, ForcePathStyle = true, AccessKey = "key", SecretKey = "never-Answered-Secret-31",
        ConnectTimeout = connectTimeout, Timeout = timeout, MaxRetries = maxRetries,
    };

    [Fact]
    public void A_store_that_accepts_connections_and_never_answers_fails_with_RepositoryTimeout_within_the_documented_bound()
    {
        using var silent = SilentEndpoint.Accepting();
        var options = Silent(silent, Short, Short, maxRetries: 1);
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<ShippyarException>(() => new S3Repository("s3://silent-bucket/p", options));

        Assert.Equal(("RepositoryTimeout", ShippyarErrorKind.ConnectionError), (e.ErrorId, e.Kind));
        Assert.Contains($"127.0.0.1:{silent.Port}", e.Message);
        Assert.Contains("for 1 s", e.Message);
        Assert.Contains("s3://silent-bucket/p", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        // One connection per attempt: the first and MaxRetries retries, each waiting out the timeout.
        Assert.Equal(2, silent.Accepted);
        Assert.InRange(clock.Elapsed, 2 * Short - TimeSpan.FromMilliseconds(100), options.MaxWait + Slack);
    }

    [Fact]
    public void A_store_that_accepts_no_connection_fails_after_the_connect_timeout_not_the_longer_request_timeout()
    {
        using var silent = SilentEndpoint.NotAccepting();
        var options = Silent(silent, Short, TimeSpan.FromMinutes(5), maxRetries: 1);
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<ShippyarException>(() => new S3Repository("s3://silent-bucket/p", options));

        Assert.Equal("RepositoryTimeout", e.ErrorId);
        Assert.Contains($"could not connect to 127.0.0.1:{silent.Port} within 1 s", e.Message);
        // Two connect timeouts and at most a second of backoff; nowhere near the 5-minute request timeout.
        Assert.InRange(clock.Elapsed, 2 * Short - TimeSpan.FromMilliseconds(100), 3 * Short + Slack);
    }

    [Fact]
    public void A_body_that_stalls_mid_download_is_resumed_where_it_stopped_and_a_resume_the_store_never_answers_is_not_retried_twice()
    {
        var data = RandomNumberGenerator.GetBytes(1_000_000);
        using (var direct = new S3Repository(s3.Url(_prefix), s3.Options()))
        using (var w = direct.Create("db/id/data.bin"))
            w.Write(data);
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options(timeout: Short, maxRetries: 2));
        var wire = $"/{S3Server.Bucket}/{_prefix}/db/id/data.bin";
        // The answer stops after 100,000 bytes; the requests resuming it get no answer at all.
        gateway.StallBodyAfter = r => r.Method == "GET" && r.Path == wire ? 100_000 : null;
        gateway.Unanswered = r => r.Method == "GET" && r.Path == wire && r.Header("Range") is not null;

        using var read = repo.OpenRead("db/id/data.bin");
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ShippyarException>(() => read.CopyTo(Stream.Null));

        Assert.Equal("RepositoryTimeout", e.ErrorId);
        Assert.Contains($"127.0.0.1:{gateway.Port}", e.Message);
        Assert.Contains($"s3://{S3Server.Bucket}/{_prefix}/db/id/data.bin", e.Message);
        // One resume from the byte where the body stopped, with the SDK's MaxRetries retries, and no more: the
        // stream does not retry a resume the SDK already retried. The stall, then three attempts, with backoff.
        var gets = gateway.Requests.Where(r => r.Method == "GET" && r.Path == wire).Select(r => r.Header("Range")).ToList();
        Assert.Equal(new string?[] { null, "bytes=100000-999999", "bytes=100000-999999", "bytes=100000-999999" }, gets);
        Assert.InRange(clock.Elapsed, 4 * Short - TimeSpan.FromMilliseconds(100), 4 * Short + TimeSpan.FromSeconds(0.4 + 3) + Slack);

        // The store is known not to answer: the next call says so at once instead of waiting as long again.
        clock.Restart();
        Assert.Equal("RepositoryTimeout", Assert.Throws<ShippyarException>(() => repo.List("").ToList()).ErrorId);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_body_that_keeps_stalling_but_moves_between_stalls_is_read_to_the_end()
    {
        var data = RandomNumberGenerator.GetBytes(400_000);
        using (var direct = new S3Repository(s3.Url(_prefix), s3.Options()))
        using (var w = direct.Create("db/id/data.bin"))
            w.Write(data);
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options(timeout: Short, maxRetries: 1));
        var wire = $"/{S3Server.Bucket}/{_prefix}/db/id/data.bin";
        // Every answer, first or resumed, stops after 100,000 bytes.
        gateway.StallBodyAfter = r => r.Method == "GET" && r.Path == wire ? 100_000 : null;

        using var read = repo.OpenRead("db/id/data.bin");
        var back = new MemoryStream();
        read.CopyTo(back);

        Assert.Equal(data, back.ToArray());
        var gets = gateway.Requests.Where(r => r.Method == "GET" && r.Path == wire).Select(r => r.Header("Range")).ToList();
        Assert.Equal(new string?[] { null, "bytes=100000-399999", "bytes=200000-399999", "bytes=300000-399999" }, gets);
    }

    [Fact]
    public void An_upload_part_the_store_never_answers_fails_the_upload_with_RepositoryTimeout_and_no_object_appears()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options(timeout: Short, maxRetries: 1));
        gateway.Unanswered = r => r.Method == "PUT" && r.HasQuery("partNumber");
        var options = repo.Options;
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<ShippyarException>(() =>
        {
            using var w = repo.Create("db/id/data.bin");
            w.Write(RandomNumberGenerator.GetBytes(12 * 1024 * 1024));
        });

        Assert.Equal("RepositoryTimeout", e.ErrorId);
        Assert.Contains($"Upload of s3://{S3Server.Bucket}/{_prefix}/db/id/data.bin timed out", e.Message);
        Assert.InRange(clock.Elapsed, 2 * Short - TimeSpan.FromMilliseconds(100), options.MaxWait + Slack);
        // Cleaning up after it fails at once too (the partial-backup removal of a backup engine).
        clock.Restart();
        Assert.Equal("RepositoryTimeout", Assert.Throws<ShippyarException>(() => repo.DeletePrefix("db/")).ErrorId);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"took {clock.Elapsed}");
        using var direct = new S3Repository(s3.Url(_prefix), s3.Options());
        Assert.Empty(direct.List(""));
    }

    [Fact]
    public void Slow_transfers_that_keep_moving_are_never_cut_however_long_they_take()
    {
        var data = RandomNumberGenerator.GetBytes(11 * 1024 * 1024);
        using var gateway = new S3Gateway(s3);
        // Twice the short timeout: s3rver sends nothing while it assembles the completed upload from its parts, which on
        // a loaded machine (the whole suite at once) can take a second; what is tested is a transfer that keeps moving.
        var timeout = 2 * Short;
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options(timeout: timeout, maxRetries: 0));

        // Uploads read by the gateway at ~0.65 MB/s: each 5 MiB part takes several timeouts' worth, and the request
        // completing the upload reuses a connection whose read of the answer was posted before the body went out.
        gateway.RequestChunkDelay = TimeSpan.FromMilliseconds(100);
        var clock = Stopwatch.StartNew();
        using (var w = repo.Create("db/id/slow.bin")) w.Write(data);
        Assert.True(clock.Elapsed > 2 * timeout, $"the upload took only {clock.Elapsed}");
        gateway.RequestChunkDelay = TimeSpan.Zero;

        // Downloads at 64 KB per 40 ms.
        gateway.BodyChunkDelay = TimeSpan.FromMilliseconds(40);
        clock.Restart();
        using var read = repo.OpenRead("db/id/slow.bin");
        var back = new MemoryStream();
        read.CopyTo(back);
        Assert.True(clock.Elapsed > 2 * timeout, $"the download took only {clock.Elapsed}");
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back.ToArray()));
    }

    private sealed class RecordingReporter : IOperationReporter
    {
        public List<ShippyarException> Errors { get; } = new();
        public List<string> Warnings { get; } = new();
        public void Progress(string activity, string status, int percentComplete = -1) { }
        public void Verbose(string message) { }
        public void Warning(string message) => Warnings.Add(message);
        public void Error(ShippyarException error) => Errors.Add(error);
    }

    [Fact]
    public void A_store_that_stops_answering_during_one_backup_is_dropped_from_it_and_from_the_next_at_once_while_the_local_copies_complete()
    {
        using var dir = new TempDirectory();
        using var gateway = new S3Gateway(s3);
        var cloud = new S3Repository(gateway.Url(_prefix), gateway.Options(timeout: Short, maxRetries: 1));
        var local = new FileSystemRepository(dir.Path);
        IBackupRepository[] both = [local, cloud];
        gateway.Unanswered = r => r.Method == "PUT" && r.Path.Contains("/data.dump");
        var request = new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection };

        var first = new RecordingReporter();
        var clock = Stopwatch.StartNew();
        Assert.Equal(local.Location, Assert.Single(new BackupEngine(first).Run(request, both)).Repository);
        Assert.True(clock.Elapsed < cloud.Options.MaxWait + Slack + TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal("RepositoryTimeout", Assert.Single(first.Errors).ErrorId);

        // The same repositories for the next database, as one call backing up several uses them: no new wait.
        var second = new RecordingReporter();
        clock.Restart();
        Assert.Equal(local.Location, Assert.Single(new BackupEngine(second).Run(request, both)).Repository);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        var error = Assert.Single(second.Errors);
        Assert.Equal("RepositoryTimeout", error.ErrorId);
        Assert.Contains($"could not be stored in {cloud.Location}", error.Message);
        Assert.Equal(2, new BackupCatalog(local).List().Count);
        // Parts of the data object were never stored; no manifest was written.
        Assert.DoesNotContain(gateway.Requests, r => r.Path.EndsWith("/manifest.json", StringComparison.Ordinal));
    }
}
