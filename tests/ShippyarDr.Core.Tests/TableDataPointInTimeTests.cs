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
}
