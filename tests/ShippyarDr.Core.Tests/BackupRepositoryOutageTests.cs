using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;
using ShippyarDr.Streams;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>A whole backup while the S3 server (real s3rver) goes away in the middle of the upload.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupRepositoryOutageTests(SandboxFixture fixture, S3Server s3) : IClassFixture<S3Server>
{
    /// <summary>The real S3 repository; its data upload stops the server once a few parts' worth has gone in.</summary>
    private sealed class ServerStopsMidUpload(S3Repository inner, S3Server server, long afterBytes) : DelegatingRepository(inner)
    {
        public override Stream Create(string key) => new Stopping(Inner.Create(key), server, afterBytes);

        private sealed class Stopping(Stream upload, S3Server server, long afterBytes) : WriteOnlyStreamBase, IAbortableStream
        {
            private long _written;
            public override void Write(ReadOnlySpan<byte> buffer)
            {
                if (_written < afterBytes && _written + buffer.Length >= afterBytes) server.Stop();
                _written += buffer.Length;
                upload.Write(buffer);
            }
            public void Abort() => (upload as IAbortableStream)?.Abort();
            protected override void Dispose(bool disposing)
            {
                if (disposing) upload.Dispose();
                base.Dispose(disposing);
            }
        }
    }

    /// <summary>A database whose dump spans several 5 MiB parts (~20 MB, stored uncompressed), so the server dies with parts done and parts to go.</summary>
    private BackupRequest Request()
    {
        var database = fixture.UniqueName("outage");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {database}");
        fixture.Sandbox.Execute(database, "CREATE TABLE events AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, 250000) g");
        return new()
        {
            Database = database, Connection = fixture.Sandbox.Connection,
            Storage = new StorageOptions { Compression = CompressionCodec.None },
        };
    }

    /// <summary>Runs the backup; whatever happens, the server is running again afterwards for the checks and the other tests.</summary>
    private T WithOutage<T>(Func<T> backup)
    {
        try { return backup(); }
        finally { if (!s3.IsRunning) s3.Start(); }
    }

    [Fact]
    public void With_a_local_copy_as_well_the_backup_completes_locally_and_the_S3_failure_is_reported()
    {
        using var dir = new TempDirectory();
        var prefix = "outage-" + Guid.NewGuid().ToString("n")[..8];
        using var cloud = new S3Repository(s3.Url(prefix), s3.Options(maxRetries: 0));
        var local = new FileSystemRepository(dir.Path);
        var reporter = new RecordingReporter();

        var stored = WithOutage(() => new BackupEngine(reporter).Run(Request(), new IBackupRepository[] { local, new ServerStopsMidUpload(cloud, s3, 12 << 20) }));

        var backup = Assert.Single(stored);
        Assert.Equal(local.Location, backup.Repository);
        var error = Assert.Single(reporter.Errors);
        Assert.Equal("S3UploadFailed", error.ErrorId);
        Assert.Equal(cloud.Location, error.Target);
        Assert.Contains($"complete in {local.Location}", error.Message);
        Assert.DoesNotContain("S3RVER", error.Message);
        Assert.True(new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Checksum }, local).Passed);
        // Nothing in the bucket looks like a backup: no manifest, no data object; only the lease, which the store was
        // not there to take back.
        Assert.All(cloud.List(""), k => Assert.EndsWith("/" + BackupLayout.LeaseName, k));
    }

    [Fact]
    public void With_S3_alone_the_backup_fails_clearly_and_leaves_nothing_listed()
    {
        var prefix = "outage-" + Guid.NewGuid().ToString("n")[..8];
        using var cloud = new S3Repository(s3.Url(prefix), s3.Options(maxRetries: 0));

        var request = Request();
        var e = Assert.Throws<ShippyarException>(() => WithOutage(() => new BackupEngine().Run(request, new ServerStopsMidUpload(cloud, s3, 12 << 20))));

        Assert.Equal("S3UploadFailed", e.ErrorId);
        Assert.Empty(new BackupCatalog(cloud).List());
        // What the failed run could not remove (the store was down) is its lease, naming this process; the next run
        // of the same database, the store back, removes it.
        var left = Assert.Single(new BackupCatalog(cloud).Incomplete());
        Assert.Equal((Environment.ProcessId, 1), (left.ProcessId!.Value, left.FileCount));
        var next = new BackupEngine().Run(request, cloud);
        Assert.Empty(new BackupCatalog(cloud).Incomplete());
        Assert.Equal(next.Id, Assert.Single(new BackupCatalog(cloud).List()).Id);
    }
}
