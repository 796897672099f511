using System.Security.Cryptography;
using ShippyarDr.Backup;
using ShippyarDr.Compression;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// S3 Object Lock on backups, through <see cref="S3Gateway"/>'s emulation in front of the real s3rver: every object a
/// backup stores is locked at PUT time (with Content-MD5), the sealed manifest records until when, the store refuses
/// deletes until then (ObjectLocked, saying when), and afterwards they go.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class S3ObjectLockTests(SandboxFixture fixture, S3Server s3) : IClassFixture<S3Server>
{
    private readonly string _prefix = "l-" + Guid.NewGuid().ToString("n")[..8];

    private string ObjectKey(string key) => $"{_prefix}/{key}";

    private BackupRequest Request(int? lockDays, ObjectLockMode mode = ObjectLockMode.Compliance) => new()
    {
        Database = SandboxFixture.SampleDatabase, Connection = fixture.Sandbox.Connection, Tier = BackupTier.Daily,
        ObjectLockDays = lockDays, ObjectLockMode = mode,
        Storage = new StorageOptions { Compression = CompressionCodec.Zstd(), Encryption = OpenPgpEncryption.WithPassphrase("Lock-Passphrase-4417".ToCharArray()) },
    };

    [Fact]
    public void A_locked_backup_locks_every_object_at_PUT_time_records_the_time_in_its_sealed_manifest_and_survives_deletes_until_then()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var before = DateTimeOffset.UtcNow;
        var backup = new BackupEngine().Run(Request(7), repo);

        var until = Assert.IsType<DateTimeOffset>(backup.ObjectLockUntil);
        Assert.InRange(until, before.AddDays(7).AddSeconds(-1), DateTimeOffset.UtcNow.AddDays(7));
        Assert.Equal(0, until.Ticks % TimeSpan.TicksPerSecond);
        // The manifest as stored (sealed with its MAC) says so too.
        Assert.Equal(until, Assert.Single(new BackupCatalog(repo).List()).ObjectLockUntil);

        var keys = repo.List(backup.Prefix!).ToList();
        Assert.Contains(BackupLayout.Key(backup, BackupLayout.ManifestName), keys);
        Assert.Contains(BackupLayout.Key(backup, BackupLayout.MacName), keys);
        Assert.Contains(keys, k => k.EndsWith(BackupLayout.ChunksSuffix, StringComparison.Ordinal));
        Assert.DoesNotContain(BackupLayout.Key(backup, BackupLayout.LeaseName), keys);   // unlocked, and gone
        Assert.All(keys, k =>
        {
            Assert.Equal(("COMPLIANCE", until), gateway.LockOf(ObjectKey(k)));
            Assert.Equal(until, repo.LockedUntil(k));
        });
        // Locked in the request that created each object, with its digest; the descriptor and the lease were not locked.
        var creating = gateway.Requests.Where(r => r.Header("x-amz-object-lock-mode") is not null).ToList();
        Assert.Equal(keys.Count, creating.Count);
        Assert.All(creating.Where(r => r.Method == "PUT"), r => Assert.NotNull(r.Header("Content-MD5")));
        Assert.DoesNotContain(gateway.Requests, r => r.HasQuery("retention") && r.Method == "PUT");
        Assert.Null(gateway.LockOf(ObjectKey(BackupLayout.DescriptorName)));

        var e = Assert.Throws<ShippyarException>(() => repo.DeletePrefix(backup.Prefix!));
        Assert.Equal((ErrorIds.ObjectLocked, ShippyarErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.Contains($"{keys.Count} objects of {repo.Location} are locked by S3 Object Lock", e.Message);
        Assert.Contains(until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss"), e.Message);
        var one = Assert.Throws<ShippyarException>(() => repo.Delete(BackupLayout.Key(backup, BackupLayout.ManifestName)));
        Assert.Equal(ErrorIds.ObjectLocked, one.ErrorId);
        Assert.Contains("is locked by S3 Object Lock until", one.Message);
        Assert.Equal(keys.Order(), repo.List(backup.Prefix!).Order());
        Assert.Single(new BackupCatalog(repo).List());

        gateway.PassTime(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.All(keys, k => Assert.Null(repo.LockedUntil(k)));
        repo.DeletePrefix(backup.Prefix!);
        Assert.Empty(repo.List(backup.Prefix!));
    }

    [Fact]
    public void In_a_versioned_bucket_every_version_is_deleted_by_its_id_and_locked_versions_are_refused_until_their_time()
    {
        // Object Lock buckets keep versions; a delete without a version id would only hide the data behind a delete marker
        // (the gateway refuses those as NotEmulated, so a client sending one fails here).
        using var gateway = new S3Gateway(s3) { Versioning = true };
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var backup = new BackupEngine().Run(Request(3), repo);
        var keys = repo.List(backup.Prefix!).ToList();
        var manifest = BackupLayout.Key(backup, BackupLayout.ManifestName);

        var e = Assert.Throws<ShippyarException>(() => repo.DeletePrefix(backup.Prefix!));
        Assert.Equal(ErrorIds.ObjectLocked, e.ErrorId);
        Assert.Contains($"{keys.Count} objects of {repo.Location} are locked", e.Message);
        Assert.Equal(ErrorIds.ObjectLocked, Assert.Throws<ShippyarException>(() => repo.Delete(manifest)).ErrorId);
        Assert.Equal(ErrorIds.ObjectLocked, Assert.Throws<ShippyarException>(() => repo.DeleteMany(keys)).ErrorId);
        Assert.Equal(keys.Order(), repo.List(backup.Prefix!).Order());
        Assert.DoesNotContain(gateway.Requests, r => r.Method == "DELETE");
        Assert.Contains(gateway.Requests, r => r.Method == "GET" && r.HasQuery("versions"));

        gateway.PassTime(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        repo.Delete(manifest);
        Assert.DoesNotContain(manifest, repo.List(backup.Prefix!));
        repo.DeleteMany(keys);   // the manifest among them, gone already: not an error
        Assert.Empty(repo.List(backup.Prefix!));
    }

    [Fact]
    public void A_copy_of_a_locked_backup_is_locked_the_same_way_in_S3_and_a_copy_into_a_directory_is_warned_about()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var backup = new BackupEngine().Run(Request(5, ObjectLockMode.Governance), repo);
        Assert.Equal(ObjectLockMode.Governance, backup.ObjectLockMode);
        var until = backup.ObjectLockUntil!.Value;

        using var offsite = new S3Repository(gateway.Url(_prefix + "-offsite"), gateway.Options());
        var copy = new BackupCopier().Copy(backup, repo, offsite);
        var keys = offsite.List(copy.Prefix!).ToList();
        Assert.Contains(BackupLayout.Key(copy, BackupLayout.ManifestName), keys);
        Assert.All(keys, k => Assert.Equal(("GOVERNANCE", until), gateway.LockOf($"{_prefix}-offsite/{k}")));
        var listed = Assert.Single(new BackupCatalog(offsite).List());
        Assert.Equal((until, ObjectLockMode.Governance), (listed.ObjectLockUntil, listed.ObjectLockMode));

        using var dir = new TempDirectory();
        var reporter = new RecordingReporter();
        new BackupCopier(reporter).Copy(backup, repo, new FileSystemRepository(dir.Path));
        Assert.Contains(reporter.Warnings, w => w.Contains("cannot lock objects", StringComparison.Ordinal) && w.Contains(dir.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Of_two_repositories_the_one_that_does_not_keep_the_lock_is_dropped_and_reported_and_the_backup_completes_in_the_other()
    {
        using var gateway = new S3Gateway(s3);
        using var locking = new S3Repository(gateway.Url(_prefix), gateway.Options());
        using var ignoring = new S3Repository(s3.Url(_prefix + "-plain"), s3.Options());
        var reporter = new RecordingReporter();
        var stored = new BackupEngine(reporter).Run(Request(2), new IBackupRepository[] { locking, ignoring });

        var backup = Assert.Single(stored);
        Assert.Equal(locking.Location, backup.Repository);
        Assert.NotNull(backup.ObjectLockUntil);
        var error = Assert.Single(reporter.Errors);
        Assert.Equal(ErrorIds.ObjectLockNotEnabled, error.ErrorId);
        Assert.Contains(ignoring.Location, error.Message);
        Assert.Empty(ignoring.List("backup/"));
        Assert.Single(new BackupCatalog(locking).List());
    }

    [Fact]
    public void A_batch_with_locked_and_otherwise_failing_keys_is_a_delete_failure_that_counts_the_locked_ones()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var locked = repo.WithObjectLock(ObjectLock.ForDays(1, ObjectLockMode.Compliance, DateTimeOffset.UtcNow));
        using (var w = locked.Create("m/locked")) w.Write("x"u8);
        using (var w = repo.Create("m/failing")) w.Write("x"u8);
        using (var w = repo.Create("m/free")) w.Write("x"u8);
        gateway.DeleteError = key => key.EndsWith("/m/failing", StringComparison.Ordinal) ? "InternalError" : null;

        var e = Assert.Throws<ShippyarException>(() => repo.DeletePrefix("m/"));

        Assert.Equal(ErrorIds.RepositoryDeleteFailed, e.ErrorId);
        Assert.Contains("2 object(s)", e.Message);
        Assert.Contains("m/failing: InternalError", e.Message);
        Assert.Contains("1 of them locked by S3 Object Lock", e.Message);
        Assert.Equal(new[] { "m/failing", "m/locked" }, repo.List("m/").Order());
    }

    [Fact]
    public void Multipart_uploads_are_locked_when_they_are_created_and_every_part_carries_its_digest()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var objectLock = ObjectLock.ForDays(1, ObjectLockMode.Governance, DateTimeOffset.UtcNow);
        var locked = repo.WithObjectLock(objectLock);
        var data = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        using (var w = locked.Create("db/id/data.dump.zst")) w.Write(data);
        using (var pending = locked.CreateAtomically("db/id/small"))
        {
            pending.Content.Write("abc"u8);
            pending.Publish();
        }

        Assert.Equal(("GOVERNANCE", objectLock.Until), gateway.LockOf(ObjectKey("db/id/data.dump.zst")));
        Assert.Equal(("GOVERNANCE", objectLock.Until), gateway.LockOf(ObjectKey("db/id/small")));
        var initiate = Assert.Single(gateway.Requests, r => r.Method == "POST" && r.HasQuery("uploads"));
        Assert.Equal("GOVERNANCE", initiate.Header("x-amz-object-lock-mode"));
        var parts = gateway.Requests.Where(r => r.HasQuery("partNumber")).ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.NotNull(p.Header("Content-MD5")));
        Assert.Equal(objectLock.Until, repo.LockedUntil("db/id/data.dump.zst"));
        Assert.Equal(ErrorIds.ObjectLocked, Assert.Throws<ShippyarException>(() => repo.Delete("db/id/data.dump.zst")).ErrorId);
    }

    [Fact]
    public void A_bucket_without_Object_Lock_refuses_the_backup_clearly_and_nothing_is_left_behind()
    {
        using var gateway = new S3Gateway(s3) { ObjectLockEnabled = false };
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(Request(30), repo));
        Assert.Equal((ErrorIds.ObjectLockNotEnabled, ShippyarErrorKind.InvalidOperation), (e.ErrorId, e.Kind));
        Assert.Contains("Bucket is missing Object Lock Configuration", e.Message);
        Assert.Contains("--object-lock-enabled-for-bucket", e.Message);
        Assert.Empty(repo.List("backup/"));
        Assert.Empty(new BackupCatalog(repo).List());
    }

    [Fact]
    public void A_store_that_ignores_the_lock_headers_fails_the_backup_before_its_manifest_and_nothing_is_left_behind()
    {
        // s3rver itself: it accepts x-amz-object-lock-* headers and keeps no lock (GetObjectRetention: 501).
        using var repo = new S3Repository(s3.Url(_prefix), s3.Options());
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(Request(7), repo));
        Assert.Equal(ErrorIds.ObjectLockNotEnabled, e.ErrorId);
        Assert.Contains("without the Object Lock it was asked for (the store reports no lock)", e.Message);
        Assert.Empty(repo.List("backup/"));
    }

    [Fact]
    public void A_directory_repository_or_a_lock_out_of_range_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var repo = new FileSystemRepository(dir.Path);
        var e = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(Request(7), repo));
        Assert.Equal((ErrorIds.ObjectLockNotSupported, ShippyarErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains(dir.Path, e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));

        using var s3repo = new S3Repository(s3.Url(_prefix), s3.Options());
        foreach (var days in new[] { 0, -1, ObjectLock.MaxDays + 1 })
            Assert.Equal(ErrorIds.InvalidObjectLockDays, Assert.Throws<ShippyarException>(() => new BackupEngine().Run(Request(days), s3repo)).ErrorId);
        Assert.Empty(s3repo.List(""));
    }

    [Fact]
    public void A_failed_run_names_the_locked_objects_it_cannot_remove_and_until_when_they_stay()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var objectLock = ObjectLock.ForDays(2, ObjectLockMode.Compliance, DateTimeOffset.UtcNow);
        var recording = new RecordingRepository(repo.WithObjectLock(objectLock));
        recording.WriteAtomically("backup/db/x/1/" + BackupLayout.LeaseName, "{}"u8);
        using (var w = recording.Create("backup/db/x/1/data.dump.zst")) w.Write("data"u8);

        var problem = recording.DeleteCreated();

        Assert.NotNull(problem);
        Assert.Contains("1 object(s) are locked by S3 Object Lock and stay until", problem);
        Assert.Contains(objectLock.Until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss"), problem);
        Assert.Contains("backup/db/x/1/data.dump.zst", problem);
        // The unlocked lease went; the locked data stays.
        Assert.Equal(new[] { "backup/db/x/1/data.dump.zst" }, repo.List("backup/"));
    }

    [Fact]
    public async Task Retention_set_afterwards_is_answered_and_a_Compliance_lock_cannot_be_shortened()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        using (var w = repo.Create("r/x")) w.Write("x"u8);
        Assert.Null(repo.LockedUntil("r/x"));
        using var client = S3ClientFactory.Create(gateway.Options());
        var until = DateTime.UtcNow.AddDays(3);
        await client.PutObjectRetentionAsync(new Amazon.S3.Model.PutObjectRetentionRequest
        {
            BucketName = S3Server.Bucket, Key = ObjectKey("r/x"),
            Retention = new Amazon.S3.Model.ObjectLockRetention { Mode = Amazon.S3.ObjectLockRetentionMode.Compliance, RetainUntilDate = until },
        });
        Assert.Equal(until, repo.LockedUntil("r/x")!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
        var shorten = await Assert.ThrowsAsync<Amazon.S3.AmazonS3Exception>(() => client.PutObjectRetentionAsync(new Amazon.S3.Model.PutObjectRetentionRequest
        {
            BucketName = S3Server.Bucket, Key = ObjectKey("r/x"),
            Retention = new Amazon.S3.Model.ObjectLockRetention { Mode = Amazon.S3.ObjectLockRetentionMode.Compliance, RetainUntilDate = until.AddDays(-1) },
        }));
        Assert.Equal("AccessDenied", shorten.ErrorCode);
        Assert.Equal(ErrorIds.ObjectLocked, Assert.Throws<ShippyarException>(() => repo.DeleteMany(new[] { "r/x" })).ErrorId);
    }
}
