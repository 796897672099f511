using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Deleting many objects from S3: DeleteObjects against the real s3rver (through the gateway, which forwards it and
/// counts the requests), 1000 keys a request, and the per-key errors of a 200 answer reported as failures.
/// </summary>
public sealed class S3BatchDeleteTests(S3Server s3) : IClassFixture<S3Server>
{
    private readonly string _prefix = "d-" + Guid.NewGuid().ToString("n")[..8];

    private static void Put(IBackupRepository repo, IEnumerable<string> keys)
        => Parallel.ForEach(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, key =>
        {
            using var w = repo.Create(key);
            w.Write("x"u8);
        });

    [Fact]
    public void DeletePrefix_of_2100_objects_takes_three_DeleteObjects_requests_and_leaves_nothing_and_other_prefixes_alone()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        var keys = Enumerable.Range(0, 2100).Select(i => $"wal/1/{i / 700}/seg-{i:D5}").ToList();
        Put(repo, keys.Append("keep/other"));
        Assert.Equal(2100, repo.List("wal/").Count());

        repo.DeletePrefix("wal/");

        Assert.Empty(repo.List("wal/"));
        Assert.Equal(new[] { "keep/other" }, repo.List(""));
        // Three calls (s3rver may fail one with an internal error when its concurrent deletes empty a folder: the SDK's
        // retry is the same call, with the same invocation id).
        var deletes = gateway.Requests.Where(r => r.Method == "POST" && r.HasQuery("delete")).ToList();
        Assert.Equal(3, deletes.Select(r => r.Header("amz-sdk-invocation-id")).Distinct().Count());
        // The real server (not the gateway's emulation) deleted them.
        using var direct = new S3Repository(s3.Url(_prefix), s3.Options());
        Assert.Equal(new[] { "keep/other" }, direct.List(""));
    }

    [Fact]
    public void DeleteMany_deletes_in_batches_and_missing_keys_are_not_errors()
    {
        using var repo = new S3Repository(s3.Url(_prefix), s3.Options());
        var keys = Enumerable.Range(0, 1001).Select(i => $"b/{i:D4}").ToList();
        Put(repo, keys.Where((_, i) => i % 2 == 0));

        repo.DeleteMany(keys.Append("never/written").Append(keys[0]));   // a key given twice is deleted once

        Assert.Empty(repo.List(""));
        repo.DeleteMany(Array.Empty<string>());
    }

    [Fact]
    public void Per_key_errors_of_a_200_DeleteObjects_answer_are_failures_naming_the_keys_while_the_others_are_deleted()
    {
        using var gateway = new S3Gateway(s3);
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options());
        Put(repo, new[] { "f/a", "f/b", "f/c" });
        gateway.DeleteError = key => key.EndsWith("/f/b", StringComparison.Ordinal) ? "InternalError" : null;

        var e = Assert.Throws<ShippyarException>(() => repo.DeleteMany(new[] { "f/a", "f/b", "f/c" }));

        Assert.Equal((ErrorIds.RepositoryDeleteFailed, ShippyarErrorKind.WriteError), (e.ErrorId, e.Kind));
        Assert.Contains("1 object(s)", e.Message);
        Assert.Contains("f/b: InternalError", e.Message);
        Assert.Equal(new[] { "f/b" }, repo.List(""));
        // The same through DeletePrefix.
        var again = Assert.Throws<ShippyarException>(() => repo.DeletePrefix("f/"));
        Assert.Equal(ErrorIds.RepositoryDeleteFailed, again.ErrorId);
        gateway.DeleteError = null;
        repo.DeletePrefix("f/");
        Assert.Empty(repo.List(""));
    }

    [Fact]
    public void A_store_without_multi_object_delete_gets_one_DELETE_per_key()
    {
        using var gateway = new S3Gateway(s3) { RefuseMultiDelete = true };
        using var repo = new S3Repository(gateway.Url(_prefix), gateway.Options(maxRetries: 0));
        Put(repo, new[] { "m/a", "m/b", "m/c" });
        repo.DeletePrefix("m/");
        Assert.Empty(repo.List(""));
        Assert.Single(gateway.Requests, r => r.Method == "POST" && r.HasQuery("delete"));
        Assert.Equal(3, gateway.Requests.Count(r => r.Method == "DELETE"));
    }

    [Fact]
    public void A_store_without_Object_Lock_says_no_object_is_locked()
    {
        using var repo = new S3Repository(s3.Url(_prefix), s3.Options());
        Put(repo, new[] { "n/x" });
        // s3rver answers GetObjectRetention with 501 NotImplemented.
        Assert.Null(repo.LockedUntil("n/x"));
        Assert.Null(repo.LockedUntil("n/missing"));
    }

    [Fact]
    public void DeleteMany_on_a_directory_deletes_each_key_and_passes_over_missing_ones_and_folders()
    {
        using var dir = new TempDirectory();
        IBackupRepository repo = new FileSystemRepository(dir.Path);
        Put(repo, new[] { "a/1", "a/2", "b/1" });
        repo.DeleteMany(new[] { "a/1", "a/2", "a/3", "b/1", "c/9" });
        Assert.Empty(repo.List(""));
    }
}
