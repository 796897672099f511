using System.Security.Cryptography;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>CreateAtomically and ListStartingWith, the storage contract the WAL archive needs, on both kinds of repository.</summary>
public sealed class AtomicObjectTests(S3Server s3) : IClassFixture<S3Server>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IBackupRepository Open(string kind) => kind == "s3"
        ? new S3Repository(s3.Url("atomic-" + Guid.NewGuid().ToString("n")[..8]), s3.Options())
        : new FileSystemRepository(_dir.Path);

    [Theory]
    [InlineData("fs")]
    [InlineData("s3")]
    public void An_object_is_invisible_until_published_and_discarded_when_not(string kind)
    {
        var repo = Open(kind);
        var data = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 17); // above one 5 MiB S3 part: multipart, ETag of the parts
        using (var pending = repo.CreateAtomically("wal/1/a/file-1"))
        {
            pending.Content.Write(data);
            Assert.False(repo.Exists("wal/1/a/file-1"));
            Assert.Empty(repo.List("wal/"));
            pending.Publish();
        }
        Assert.Equal(data, repo.ReadAllBytes("wal/1/a/file-1"));

        using (var discarded = repo.CreateAtomically("wal/1/a/file-2")) discarded.Content.Write(data);
        Assert.False(repo.Exists("wal/1/a/file-2"));
        Assert.Equal(new[] { "wal/1/a/file-1" }, repo.List("wal/"));
        if (kind == "fs") Assert.Equal(new[] { "file-1" }, Directory.EnumerateFiles(Path.Combine(_dir.Path, "wal", "1", "a")).Select(Path.GetFileName));
        (repo as IDisposable)?.Dispose();
    }

    [Theory]
    [InlineData("fs")]
    [InlineData("s3")]
    public void Publishing_over_an_existing_object_fails_and_leaves_it(string kind)
    {
        var repo = Open(kind);
        repo.WriteAtomically("wal/1/a/taken", "first"u8);
        using (var pending = repo.CreateAtomically("wal/1/a/taken"))
        {
            pending.Content.Write("second"u8);
            Assert.Equal(ErrorIds.ObjectExists, Assert.Throws<ShippyarException>(pending.Publish).ErrorId);
        }
        Assert.Equal("first"u8.ToArray(), repo.ReadAllBytes("wal/1/a/taken"));
        (repo as IDisposable)?.Dispose();
    }

    [Theory]
    [InlineData("fs")]
    [InlineData("s3")]
    public void Names_are_found_by_prefix_in_one_folder_only(string kind)
    {
        var repo = Open(kind);
        foreach (var key in new[] { "wal/1/a/seg-1.manifest", "wal/1/a/seg-1.x.zst", "wal/1/a/seg-2.manifest", "wal/1/a/sub/seg-1.deeper", "wal/1/b/seg-1.other" })
            repo.WriteAtomically(key, "x"u8);
        Assert.Equal(new[] { "wal/1/a/seg-1.manifest", "wal/1/a/seg-1.x.zst" }, repo.ListStartingWith("wal/1/a/", "seg-1").Order());
        Assert.Empty(repo.ListStartingWith("wal/1/none/", "seg-1"));
        (repo as IDisposable)?.Dispose();
    }
}
