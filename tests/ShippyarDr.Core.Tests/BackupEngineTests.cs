using Npgsql;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class BackupEngineTests(SandboxFixture fixture)
{
    private BackupInfo Backup(IBackupRepository repo, string database = SandboxFixture.SampleDatabase, CancellationToken cancel = default,
        IOperationReporter? reporter = null)
        => new BackupEngine(reporter).Run(new BackupRequest { Database = database, Connection = fixture.Sandbox.Connection }, repo, cancel);

    /// <summary>Cancels the run the moment pg_dump's first bytes are reported: mid-dump, whatever the machine's speed.</summary>
    private sealed class CancelOnFirstBytes(CancellationTokenSource cts) : IOperationReporter
    {
        public void Progress(string activity, string status, int percentComplete = -1)
        {
            if (status.EndsWith("MB dumped", StringComparison.Ordinal)) cts.Cancel();
        }
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void Error(ShippyarException error) { }
    }

    [Fact]
    public void Backup_stores_the_dump_with_its_checksum_and_exact_row_counts_and_writes_the_manifest_last()
    {
        using var dir = new TempDirectory();
        var repo = new FileSystemRepository(dir.Path);
        var info = Backup(repo);

        Assert.Equal($"backup/db/shippyar/{info.Id}/", info.Prefix);
        var manifest = Path.Combine(dir.Path, info.Prefix!, "manifest.json");
        var dump = Path.Combine(dir.Path, info.Prefix!, "data.dump.zst");
        Assert.True(File.Exists(manifest));
        Assert.True(File.GetLastWriteTimeUtc(manifest) >= File.GetLastWriteTimeUtc(dump));
        Assert.Equal(new FileInfo(dump).Length, info.Size);
        using (var f = File.OpenRead(dump))
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f)).ToLowerInvariant(), info.Files.Single().Sha256);

        using var conn = PgSession.Open(fixture.Sandbox.Connection, SandboxFixture.SampleDatabase);
        foreach (var table in new[] { "users", "orders", "order_items", "shipments" })
        {
            using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", conn);
            Assert.Equal((long)cmd.ExecuteScalar()!, info.Tables.Single(t => t.Name == table).Rows);
        }
        Assert.Equal(3, info.ForeignKeys.Count);
        var file = info.Files.Single();
        Assert.Equal(("zstd", 1), (file.Compression, file.CompressionLevel));
        Assert.True(file.PlainSize > file.Size, "the zstd stage compresses");
        Assert.Null(file.Encryption);
        Assert.Contains("public.orders orders_user_id_fkey", info.ForeignKeys);
        Assert.Equal(15, info.ServerVersionNum / 10000);
        Assert.Equal("UTF8", info.Encoding);

        var listed = new BackupCatalog(repo).List();
        Assert.Equal(info.Id, Assert.Single(listed).Id);
        Assert.Equal(info.TotalRows, listed[0].TotalRows);
    }

    [Fact]
    public void A_failed_backup_leaves_nothing_behind()
    {
        using var dir = new TempDirectory();
        var repo = new FileSystemRepository(dir.Path);
        var e = Assert.Throws<ShippyarException>(() => Backup(repo, "does_not_exist"));
        Assert.Equal("DatabaseNotFound", e.ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_cancelled_backup_has_no_manifest_and_its_partial_files_are_removed()
    {
        using var dir = new TempDirectory();
        var repo = new FileSystemRepository(dir.Path);
        var big = fixture.CloneSample("cancel");
        fixture.Sandbox.Execute(big, "INSERT INTO order_items SELECT o, l + 3, 'X', 1, 1 FROM generate_series(1, 5000) o, generate_series(1, 200) l");
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Backup(repo, big, cts.Token, new CancelOnFirstBytes(cts)));
        Assert.Empty(new BackupCatalog(repo).List());
        Assert.Empty(repo.List("backup/"));
    }
}
