using ShippyarDr.Authentication;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository.S3;
using ShippyarDr.Wal;

namespace ShippyarDr.Core.Tests;

/// <summary>The WAL archive in an S3 repository (s3rver), with real segments.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WalS3ArchiveTests(SandboxFixture fixture, S3Server s3) : IClassFixture<S3Server>, IDisposable
{
    private readonly TempDirectory _work = new("shippyar-wal-s3-");

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Segments_round_trip_encrypted_duplicates_are_recognised_and_differences_refused()
    {
        using var repo = new S3Repository(s3.Url("wal-" + Guid.NewGuid().ToString("n")[..8]), s3.Options());
        var cluster = WalSegments.Identity(fixture.Sandbox);
        var storage = new StorageOptions { Compression = WalPushRequest.DefaultCompression, Encryption = OpenPgpEncryption.WithPassphrase("s3-Heron-passphrase-41".ToCharArray()) };
        var segment = WalSegments.SwitchAndCopy(fixture.Sandbox, _work.Path);
        var pusher = new WalPusher(repo);
        WalPushResult Push() => pusher.Push(new WalPushRequest { SourcePath = segment, Cluster = cluster, Storage = storage });

        Assert.Equal(WalPushOutcome.Stored, Push().Outcome);
        Assert.Equal(WalPushOutcome.AlreadyArchived, Push().Outcome);
        var original = File.ReadAllBytes(segment);
        var changed = (byte[])original.Clone();
        changed[^1] ^= 0x5A;
        File.WriteAllBytes(segment, changed);
        Assert.Equal(ErrorIds.WalDuplicateDiffers, Assert.Throws<ShippyarException>(Push).ErrorId);

        var destination = Path.Combine(_work.Path, "RECOVERYXLOG");
        var fetcher = new WalFetcher(repo);
        var keys = BackupKeys.WithPassphrase("s3-Heron-passphrase-41");
        Assert.Equal(WalFetchOutcome.Fetched, fetcher.Fetch(new WalFetchRequest { Name = Path.GetFileName(segment), Destination = destination, Cluster = cluster, Keys = keys }).Outcome);
        Assert.Equal(original, File.ReadAllBytes(destination));
        Assert.Equal(WalFetchOutcome.NotInArchive, fetcher.Fetch(new WalFetchRequest { Name = "00000002.history", Destination = destination, Cluster = cluster, Keys = keys }).Outcome);
        var archive = Assert.Single(new WalArchiveScanner(repo).Scan());
        Assert.Equal((1, true), (archive.SegmentCount, archive.Sealed));
    }
}
