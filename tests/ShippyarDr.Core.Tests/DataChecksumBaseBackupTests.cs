using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Sandbox;
using ShippyarDr.Tools;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// A cluster with data checksums whose table file was damaged on disk: the server finds the bad page while it sends
/// the base backup and fails it at the end. The backup must fail with the server's words, and must never be listed as
/// a backup one could restore (a copy of a corrupt page is no recovery).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DataChecksumBaseBackupTests : IDisposable
{
    private readonly PostgresSandbox _server = PostgresSandbox.Start();
    private readonly TempDirectory _repo = new("shippyar-checksum-repo-");

    public void Dispose()
    {
        _server.Dispose();
        _repo.Dispose();
    }

    [Fact]
    public void A_page_that_fails_its_data_checksum_fails_the_base_backup_and_leaves_no_backup()
    {
        _server.Stop();
        ServerAccount.Default.RunAs(PgToolLocator.Find("pg_checksums").Path, "--enable", "--no-sync", "-D", _server.DataDirectory);
        _server.Restart();
        Assert.Equal("on", _server.QueryScalar("postgres", "SHOW data_checksums"));
        _server.Execute("postgres", "CREATE TABLE parcels (id int, label text); INSERT INTO parcels SELECT g, repeat('x', 50) FROM generate_series(1, 1000) g; CHECKPOINT");
        var file = Path.Combine(_server.DataDirectory, _server.QueryScalar("postgres", "SELECT pg_relation_filepath('parcels')")!);
        _server.Stop();
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            // Inside the first page's tuple data, past its header: the page still parses, only its checksum is wrong.
            stream.Position = 6000;
            stream.Write("damaged!"u8);
        }
        _server.Restart();

        var repo = new FileSystemRepository(_repo.Path);
        var failure = Assert.Throws<ShippyarException>(() => new BackupEngine().Run(new BackupRequest
        {
            Connection = _server.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast, Storage = new StorageOptions(),
        }, repo));

        Assert.Equal(ErrorIds.DataChecksumFailure, failure.ErrorId);
        Assert.Contains("checksum", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(new BackupCatalog(repo).List());
        Assert.Empty(new BackupCatalog(repo).Incomplete());
    }
}
