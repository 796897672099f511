using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Recovery;
using ShippyarDr.Repository;
using ShippyarDr.TableData;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Rows written after the last base backup and then deleted: the base backup's scratch copy is recovered through the
/// WAL archive (shippyar-dr wal-fetch as restore_command) to a time before the delete, and the rows come back from there.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TableDataPointInTimeTests(ArchivingCluster cluster) : IClassFixture<ArchivingCluster>
{
    private string Query(string database, string sql) => cluster.Sandbox.QueryScalar(database, sql)!;

    private DateTimeOffset ServerNow() => DateTimeOffset.Parse(Query("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));

    [Fact]
    public void Rows_newer_than_the_base_backup_come_back_from_its_scratch_copy_recovered_to_a_time_before_the_delete()
    {
        var sandbox = cluster.Sandbox;
        sandbox.Execute("postgres", "CREATE DATABASE shop");
        sandbox.Execute("shop", """
            CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, note text);
            INSERT INTO orders SELECT g, timestamptz '2024-01-14' + g * interval '1 minute', 'old ' || g FROM generate_series(1, 500) g;
            """);
        var repo = new FileSystemRepository(cluster.Repository);
        var backup = new BackupEngine().Run(new BackupRequest { Connection = sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, repo);
        // After the backup: a day of new orders, then the incident.
        sandbox.Execute("shop", "INSERT INTO orders SELECT g, timestamptz '2024-01-15' + (g - 1000) * interval '1 minute', 'new ' || g FROM generate_series(1000, 1199) g");
        var day = "created_at >= '2024-01-15' AND created_at < '2024-01-16'";
        var expected = Query("shop", $"SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o WHERE {day}");
        Thread.Sleep(1100);
        var beforeDelete = ServerNow();
        Thread.Sleep(1100);
        sandbox.Execute("shop", $"DELETE FROM orders WHERE {day}");
        cluster.WaitArchived(WalSegments.Switch(sandbox));

        var reporter = new HookReporter();
        var result = Assert.Single(new TableDataRestore(reporter).Run(new TableDataRequest
        {
            Backup = backup, Tables = ["orders"], Filter = day, TargetDatabase = "shop", Connection = sandbox.Connection,
            RecoveryTarget = RecoveryTarget.AtTime(beforeDelete),
            RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = cluster.Repository },
        }, repo));
        Assert.Equal(200, result.RowsInserted);
        Assert.Equal(expected, Query("shop", $"SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o WHERE {day}"));
        Assert.Equal("500", Query("shop", $"SELECT count(*) FROM orders WHERE NOT ({day})"));
        Assert.Contains(reporter.Verbose, v => v.Contains("recovered to"));
        var line = Assert.Single(reporter.Verbose, v => v.Contains("into the scratch data directory "));
        Assert.False(Directory.Exists(Path.GetDirectoryName(line[(line.IndexOf("directory ", StringComparison.Ordinal) + "directory ".Length)..].TrimEnd('.'))));
    }

    [Fact]
    public void Rows_come_back_from_a_scratch_copy_recovered_to_a_restore_point_made_before_the_delete()
    {
        var sandbox = cluster.Sandbox;
        sandbox.Execute("postgres", "CREATE DATABASE shop_named");
        sandbox.Execute("shop_named", "CREATE TABLE orders (id bigint PRIMARY KEY, note text); INSERT INTO orders SELECT g, 'kept ' || g FROM generate_series(1, 100) g");
        var repo = new FileSystemRepository(cluster.Repository);
        var backup = new BackupEngine().Run(new BackupRequest { Connection = sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, repo);
        sandbox.Execute("shop_named", "INSERT INTO orders SELECT g, 'after the backup ' || g FROM generate_series(101, 150) g");
        Query("postgres", "SELECT pg_create_restore_point('before-cleanup')::text");
        sandbox.Execute("shop_named", "DELETE FROM orders WHERE id > 90");
        cluster.WaitArchived(WalSegments.Switch(sandbox));

        var result = Assert.Single(new TableDataRestore().Run(new TableDataRequest
        {
            Backup = backup, Tables = ["orders"], TargetDatabase = "shop_named", Connection = sandbox.Connection,
            RecoveryTarget = RecoveryTarget.AtName("before-cleanup"),
            RestoreCommand = new RestoreCommandLine { CliPath = ShippyarCli.Path, Repository = cluster.Repository },
        }, repo));
        // The 60 deleted rows (10 older than the backup, 50 newer) are back; the 90 still there are skipped.
        Assert.Equal((150L, 60L, 90L), (result.RowsSelected, result.RowsInserted, result.RowsSkipped));
        Assert.Equal("150", Query("shop_named", "SELECT count(*) FROM orders"));
    }
}
