using System.Diagnostics;
using System.Security.Cryptography;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.Cloud;
using ShippyarDr.Verification;
using Xunit.Abstractions;

namespace ShippyarDr.Core.Tests;

/// <summary>The S3 repository against a real S3-compatible server (s3rver).</summary>
[Collection(PostgresCollection.Name)]
public sealed class S3RepositoryTests(SandboxFixture fixture, S3Server s3, ITestOutputHelper output) : IClassFixture<S3Server>
{
    private static string Prefix() => "t-" + Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public void A_120_MB_stream_of_unknown_length_round_trips_through_multipart_upload()
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options());
        var data = RandomNumberGenerator.GetBytes(120 * 1024 * 1024);
        var clock = Stopwatch.StartNew();
        using (var upload = repo.Create("big/object.bin"))
            for (var off = 0; off < data.Length; off += 65_519) upload.Write(data, off, Math.Min(65_519, data.Length - off));
        var up = clock.Elapsed.TotalSeconds;
        clock.Restart();
        using var back = repo.OpenRead("big/object.bin");
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = back.Read(buffer)) > 0) { sha.AppendData(buffer, 0, n); total += n; }
        output.WriteLine($"120 MB: upload {120 / up:F0} MB/s, download {120 / clock.Elapsed.TotalSeconds:F0} MB/s");
        Assert.Equal(data.Length, total);
        Assert.Equal(SHA256.HashData(data), sha.GetHashAndReset());
    }

    [Theory]
    [InlineData("STANDARD_IA", 100)]
    [InlineData("GLACIER", 12 * 1024 * 1024)]
    public void Data_objects_get_the_storage_class_and_manifests_stay_STANDARD(string storageClass, int size)
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options(storageClass));
        using (var w = repo.Create("db/id/data.dump.zst")) w.Write(new byte[size]);
        Assert.Equal(storageClass, repo.StorageClassOf("db/id/data.dump.zst"));
        var catalog = new BackupCatalog(repo);
        catalog.Save(new BackupInfo { Id = "20261125-010203D-abcd", Database = "db", EndTime = DateTimeOffset.UtcNow });
        Assert.Equal("STANDARD", repo.StorageClassOf("db/20261125-010203D-abcd/manifest.json"));
        Assert.Equal("20261125-010203D-abcd", Assert.Single(catalog.List()).Id);
    }

    [Fact]
    public void Listing_pages_past_1000_keys_and_DeletePrefix_removes_them()
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options());
        Parallel.For(0, 1005, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            using var w = repo.Create($"many/{i:D4}");
            w.WriteByte(1);
        });
        Assert.Equal(1005, repo.List("many/").Count());
        repo.DeletePrefix("many/");
        Assert.Empty(repo.List("many/"));
    }

    [Fact]
    public void A_server_that_goes_away_mid_upload_fails_the_upload_and_leaves_no_object()
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options());
        var upload = repo.Create("broken/object.bin");
        var chunk = RandomNumberGenerator.GetBytes(1 << 20);
        for (var i = 0; i < 12; i++) upload.Write(chunk);
        s3.Stop();
        try
        {
            var e = Assert.Throws<ShippyarException>(() =>
            {
                for (var i = 0; i < 12; i++) upload.Write(chunk);
                upload.Dispose();
            });
            Assert.Equal("S3UploadFailed", e.ErrorId);
            Assert.DoesNotContain("S3RVER", e.Message);
        }
        finally
        {
            s3.Start();
        }
        Assert.Empty(repo.List("broken/"));
    }

    [Fact]
    public void A_missing_bucket_is_a_clear_error()
    {
        var e = Assert.Throws<ShippyarException>(() => new S3Repository("s3://no-such-bucket/x", s3.Options()));
        Assert.Equal("RepositoryNotFound", e.ErrorId);
        Assert.Equal("InvalidS3Url", Assert.Throws<ShippyarException>(() => S3Location.Parse("s3://Bad_Bucket/x")).ErrorId);
    }

    [Fact]
    public void One_backup_pass_fans_out_to_local_and_S3_and_the_S3_copy_restores()
    {
        using var dir = new TempDirectory();
        using var cloud = new S3Repository(s3.Url(Prefix()), s3.Options("STANDARD_IA"));
        var copies = new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection },
            new IBackupRepository[] { new FileSystemRepository(dir.Path), cloud });
        Assert.Equal(2, copies.Count);
        var inCloud = Assert.Single(new BackupCatalog(cloud).List());
        Assert.Equal(copies[0].Files[0].Sha256, inCloud.Files[0].Sha256);
        Assert.Equal("STANDARD_IA", cloud.StorageClassOf(BackupLayout.Key(inCloud.Database, inCloud.Id, inCloud.Files[0].Name)));
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = inCloud, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, cloud);
        Assert.True(verified.Passed, string.Join("\n", verified.Checks));

        // And the copy command replicates local → S3 with checksums.
        using var other = new S3Repository(s3.Url(Prefix()), s3.Options());
        var copied = new BackupCopier().Copy(copies[0], new FileSystemRepository(dir.Path), other);
        Assert.True(new BackupVerifier().Run(new VerificationRequest { Backup = copied, Level = VerificationLevel.Catalog }, other).Passed);
    }
}
