using System.Security.Cryptography;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;
using ShippyarDr.Verification;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// S3 behaviour s3rver ignores, through <see cref="S3Gateway"/>: archive storage classes that refuse reads
/// (InvalidObjectState) and the headers that carry server-side encryption and storage class.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class S3GatewayTests(SandboxFixture fixture, S3Server s3) : IClassFixture<S3Server>
{
    private readonly string _prefix = "g-" + Guid.NewGuid().ToString("n")[..8];

    /// <summary>The path a request for a repository key has on the wire (path-style).</summary>
    private string WirePath(string key) => $"/{S3Server.Bucket}/{_prefix}/{key}";

    [Theory]
    [InlineData(100)]                // single PutObject
    [InlineData(12 * 1024 * 1024)]   // CreateMultipartUpload + parts
    public void An_unrestored_GLACIER_object_is_refused_as_archived_while_HEAD_and_STANDARD_manifests_still_work(int size)
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options("GLACIER"));
        var data = RandomNumberGenerator.GetBytes(size);
        using (var w = repo.Create("db/id/data.dump.zst")) w.Write(data);
        var manifest = "{\"id\": \"id\"}"u8.ToArray();
        repo.WriteAtomically("db/id/manifest.json", manifest);

        var e = Assert.Throws<ShippyarException>(() => repo.OpenRead("db/id/data.dump.zst"));
        Assert.Equal(("ObjectArchived", ShippyarErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
        Assert.Contains($"s3://{S3Server.Bucket}/{_prefix}/db/id/data.dump.zst", e.Message);
        Assert.Contains("aws s3api restore-object", e.Message);
        // The gateway refused it, once: a 403 InvalidObjectState is not retried.
        Assert.Single(gateway.Requests, r => r.Method == "GET" && r.Path == WirePath("db/id/data.dump.zst"));

        Assert.True(repo.Exists("db/id/data.dump.zst"));
        Assert.Equal("GLACIER", repo.StorageClassOf("db/id/data.dump.zst"));
        Assert.Equal(manifest, ReadAll(repo, "db/id/manifest.json"));
        Assert.Equal(new[] { "db/id/data.dump.zst", "db/id/manifest.json" }, repo.List("db/").Order());
        // The bytes are intact behind the gateway: only the archive emulation refuses them.
        using var direct = new S3Repository(s3.Url(_prefix), s3.Options());
        Assert.Equal(data, ReadAll(direct, "db/id/data.dump.zst"));
    }

    [Fact]
    public void Verifying_a_GLACIER_backup_reports_the_archived_object_instead_of_a_generic_failure()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options("GLACIER"));
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection, Tier = BackupTier.Daily, StorageClass = "GLACIER",
        }, repo);
        var file = Assert.Single(backup.Files);
        var key = BackupLayout.Key(backup, file.Name);
        Assert.Equal("GLACIER", repo.StorageClassOf(key));
        // The catalog still lists it: the manifest is STANDARD.
        Assert.Equal(backup.Id, Assert.Single(new BackupCatalog(repo).List()).Id);

        // Checksum level: the read failure becomes a failed check carrying the restore advice.
        var result = new BackupVerifier().Run(new VerificationRequest { Backup = backup, Level = VerificationLevel.Checksum }, repo);
        Assert.False(result.Passed);
        Assert.Equal(new[] { "Authenticity", $"Checksum {file.Name}" }, result.Checks.Select(c => c.Name));
        var check = result.Checks[1];
        Assert.False(check.Passed);
        Assert.Contains("restore-object", check.Detail);
        Assert.Contains(key, check.Detail);

        // Catalog level: the same, as a failed read check (nothing is thrown, so a pipeline of backups goes on).
        var catalog = new BackupVerifier().Run(
            new VerificationRequest { Backup = backup, Level = VerificationLevel.Catalog, Connection = fixture.Sandbox.Connection }, repo);
        Assert.False(catalog.Passed);
        var read = Assert.Single(catalog.Checks, c => c.Name == $"Read {file.Name}");
        Assert.False(read.Passed);
        Assert.Contains("restore-object", read.Detail);
    }

    [Theory]
    [InlineData("AES256", null)]
    [InlineData("aws:kms", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    public void Server_side_encryption_and_storage_class_go_on_the_requests_that_create_objects_and_not_on_parts(string sse, string? kmsKeyId)
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options("STANDARD_IA", sse, kmsKeyId));
        var data = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);   // three parts of 5 MiB
        using (var w = repo.Create("db/id/data.dump.zst")) w.Write(data);
        var manifest = "{\"id\": \"id\"}"u8.ToArray();
        repo.WriteAtomically("db/id/manifest.json", manifest);
        Assert.Equal(data, ReadAll(repo, "db/id/data.dump.zst"));

        var onData = gateway.Requests.Where(r => r.Path == WirePath("db/id/data.dump.zst")).ToList();
        var create = Assert.Single(onData, r => r.Method == "POST" && r.HasQuery("uploads"));
        Assert.Equal(sse, create.Header("x-amz-server-side-encryption"));
        Assert.Equal(kmsKeyId, create.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        Assert.Equal("STANDARD_IA", create.Header("x-amz-storage-class"));

        // S3 takes the encryption from CreateMultipartUpload; the parts need (and here carry) none of it.
        var parts = onData.Where(r => r.Method == "PUT" && r.HasQuery("partNumber")).ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p =>
        {
            Assert.Null(p.Header("x-amz-server-side-encryption"));
            Assert.Null(p.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        });
        Assert.Single(onData, r => r.Method == "POST" && r.HasQuery("uploadId"));   // CompleteMultipartUpload

        var put = Assert.Single(gateway.Requests, r => r.Method == "PUT" && r.Path == WirePath("db/id/manifest.json"));
        Assert.Equal(sse, put.Header("x-amz-server-side-encryption"));
        Assert.Equal(kmsKeyId, put.Header("x-amz-server-side-encryption-aws-kms-key-id"));
        Assert.Equal("STANDARD", put.Header("x-amz-storage-class"));
    }

    private static byte[] ReadAll(S3Repository repo, string key)
    {
        using var s = repo.OpenRead(key);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void A_write_that_must_not_replace_is_conditional_so_a_second_writer_past_the_existence_check_still_gets_ObjectExists()
    {
        using var gateway = new S3Gateway(s3) { ConditionalWrites = true };
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var key = "retention/lock.json";
        repo.WriteAtomically(key, "first"u8);
        Assert.Equal("*", gateway.Requests.Last(r => r.Method == "PUT").Header("If-None-Match"));
        // The second writer's HEAD ran before the first one's PUT landed: only the condition stops it.
        gateway.HiddenFromHead = k => k.EndsWith(key, StringComparison.Ordinal);
        var e = Assert.Throws<ShippyarException>(() => repo.WriteAtomically(key, "second"u8));
        Assert.Equal(ErrorIds.ObjectExists, e.ErrorId);
        Assert.Equal("first"u8.ToArray(), repo.ReadAllBytes(key));
        // A replacing write carries no condition.
        repo.WriteAtomically(key, "third"u8, replace: true);
        Assert.Null(gateway.Requests.Last(r => r.Method == "PUT").Header("If-None-Match"));
        Assert.Equal("third"u8.ToArray(), repo.ReadAllBytes(key));
    }

    [Fact]
    public void A_store_that_refuses_conditional_writes_gets_the_plain_write_and_the_existence_check()
    {
        using var gateway = new S3Gateway(s3) { RefuseConditionalWrites = true };
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        repo.WriteAtomically("db/x/manifest.json", "one"u8);
        Assert.Equal("one"u8.ToArray(), repo.ReadAllBytes("db/x/manifest.json"));
        Assert.Equal(ErrorIds.ObjectExists, Assert.Throws<ShippyarException>(() => repo.WriteAtomically("db/x/manifest.json", "two"u8)).ErrorId);
        repo.WriteAtomically("db/y/manifest.json", "three"u8);
        Assert.Null(gateway.Requests.Last(r => r.Method == "PUT").Header("If-None-Match")); // not asked again once refused
    }
}
