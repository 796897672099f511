using System.Diagnostics;
using System.Security.Cryptography;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;
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

    [Fact]
    public void Small_objects_and_manifests_round_trip_with_keys_relative_to_the_prefix()
    {
        using var repo = new S3Repository(s3.Url(Prefix() + "/nested"), s3.Options());
        var small = RandomNumberGenerator.GetBytes(1000);
        using (var w = repo.Create("db/id/small.bin")) w.Write(small);
        var manifest = "{\"id\": \"x\"}"u8.ToArray();
        repo.WriteAtomically("db/id/manifest.json", manifest);

        Assert.Equal(small, ReadAll(repo, "db/id/small.bin"));
        Assert.Equal(manifest, ReadAll(repo, "db/id/manifest.json"));
        Assert.Equal(new[] { "db/id/manifest.json", "db/id/small.bin" }, repo.List("db/").Order());
        Assert.True(repo.Exists("db/id/small.bin"));
        Assert.False(repo.Exists("db/id/nothing"));
        Assert.Equal("BackupFileMissing", Assert.Throws<ShippyarException>(() => repo.OpenRead("db/id/nothing")).ErrorId);
    }

    [Fact]
    public void An_upload_survives_a_short_outage_through_retries()
    {
        // Generous retries: the SDK's backoff is randomised, and the outage must fit inside it every time.
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options(maxRetries: 8));
        var data = RandomNumberGenerator.GetBytes(24 << 20);
        using (var w = repo.Create("blip.bin"))
        {
            w.Write(data, 0, 6 << 20);
            var restarted = StopForAMoment();
            try { w.Write(data, 6 << 20, data.Length - (6 << 20)); }
            finally { restarted(); }
        }
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(ReadAll(repo, "blip.bin")));
    }

    [Fact]
    public void A_download_resumes_where_a_broken_connection_left_it()
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options(maxRetries: 8));
        var data = RandomNumberGenerator.GetBytes(64 << 20);
        using (var w = repo.Create("resume.bin")) w.Write(data);
        using var read = repo.OpenRead("resume.bin");
        using var back = new MemoryStream();
        var buffer = new byte[1 << 20];
        back.Write(buffer, 0, read.ReadAtLeast(buffer, buffer.Length));
        var restarted = StopForAMoment();
        try { read.CopyTo(back); }
        finally { restarted(); }
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back.ToArray()));
    }

    [Fact]
    public void A_failed_write_is_never_completed_by_a_later_Dispose()
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options());
        var upload = repo.Create("cut.bin");
        s3.Stop();
        try
        {
            Assert.Equal("S3UploadFailed", Assert.Throws<ShippyarException>(() => upload.Write(new byte[6 << 20])).ErrorId);
        }
        finally
        {
            s3.Start();
        }
        // The server is back: completing now would store the first part as if it were the whole object.
        Assert.Equal("S3UploadFailed", Assert.Throws<ShippyarException>(upload.Dispose).ErrorId);
        Assert.False(repo.Exists("cut.bin"));
    }

    [Fact]
    public void Refused_credentials_and_bad_options_are_told_apart_from_an_unreachable_store()
    {
        var e = Assert.Throws<ShippyarException>(() => new S3Repository(s3.Url("x"),
            new S3RepositoryOptions { Endpoint = s3.Endpoint, ForcePathStyle = true, AccessKey = "NOT-A-KEY", SecretKey = "nope-Secret-77" }));
        Assert.Equal(("RepositoryAccessDenied", ShippyarErrorKind.AuthenticationError), (e.ErrorId, e.Kind));
        Assert.DoesNotContain("nope-secret", e.Message);
        Assert.Equal("InvalidS3Options", Assert.Throws<ShippyarException>(() => new S3Repository(s3.Url("x"),
            new S3RepositoryOptions { Endpoint = s3.Endpoint, PartSize = 1 << 20 })).ErrorId);
        var down = Assert.Throws<ShippyarException>(() => new S3Repository("s3://shippyar-test/x",
            new S3RepositoryOptions { Endpoint = "http://127.0.0.1:1", ForcePathStyle = true, AccessKey = "S3RVER", SecretKey = "S3RVER", MaxRetries = 0 }));
        Assert.Equal(("RepositoryUnreachable", ShippyarErrorKind.ConnectionError), (down.ErrorId, down.Kind));
    }

    /// <summary>Stops the server and starts it again 300 ms later on another thread (this one is busy retrying); the returned action waits for that.</summary>
    private Action StopForAMoment()
    {
        s3.Stop();
        Exception? failed = null;
        var restart = new Thread(() =>
        {
            Thread.Sleep(300);
            try { s3.Start(); }
            catch (Exception e) { failed = e; }
        });
        restart.Start();
        return () =>
        {
            restart.Join();
            if (failed is not null) throw failed;
        };
    }

    private static byte[] ReadAll(S3Repository repo, string key)
    {
        using var s = repo.OpenRead(key);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
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
        Assert.Equal("STANDARD", repo.StorageClassOf("backup/db/db/20261125-010203D-abcd/manifest.json"));
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
        Assert.Equal("STANDARD_IA", cloud.StorageClassOf(BackupLayout.Key(inCloud, inCloud.Files[0].Name)));
        var verified = new BackupVerifier().Run(new VerificationRequest { Backup = inCloud, Level = VerificationLevel.Restore, Connection = fixture.Sandbox.Connection }, cloud);
        Assert.True(verified.Passed, string.Join("\n", verified.Checks));

        // And the copy command replicates local → S3 with checksums.
        using var other = new S3Repository(s3.Url(Prefix()), s3.Options());
        var copied = new BackupCopier().Copy(copies[0], new FileSystemRepository(dir.Path), other);
        Assert.True(new BackupVerifier().Run(new VerificationRequest { Backup = copied, Level = VerificationLevel.Catalog }, other).Passed);
    }

    [Fact]
    public void A_manifest_on_S3_that_names_a_key_outside_its_folder_is_refused_and_no_key_climbs_out_of_the_prefix()
    {
        using var repo = new S3Repository(s3.Url(Prefix()), s3.Options());
        var backup = new BackupEngine().Run(new BackupRequest { Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection }, repo);
        var key = BackupLayout.Key(backup, BackupLayout.ManifestName);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(repo.ReadAllBytes(key))!;
        manifest["Files"]![0]!["Name"] = "../../../../other-bucket/secrets.dump";
        repo.WriteAtomically(key, System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()), replace: true);

        var contents = new BackupCatalog(repo).Scan();
        Assert.Empty(contents.Backups);
        Assert.Equal("ManifestInvalid", Assert.Single(contents.Unreadable).Error.ErrorId);
        foreach (var bad in new[] { "../other-bucket/x", "backup/../../x", "/x", "a//b" })
            Assert.Equal("InvalidKey", Assert.Throws<ShippyarException>(() => repo.OpenRead(bad)).ErrorId);
    }
}
