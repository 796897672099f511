using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Encryption;
using ShippyarDr.Compression;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.TableData;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Partial data recovery from the cluster's backups: a Weekly backup (the archive of the database that holds the
/// tables) and a base backup (restored into a scratch cluster on this host, read from there).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TableDataClusterSourceTests(ClusterSandbox cluster) : IClassFixture<ClusterSandbox>, IDisposable
{
    private const string Passphrase = "tabledata-Weekly-77";
    private const string Sample = SandboxFixture.SampleDatabase;
    private readonly TempDirectory _dir = new();
    private static int _counter;

    public void Dispose() => _dir.Dispose();

    private string Query(string database, string sql) => cluster.Sandbox.QueryScalar(database, sql)!;

    private string Fingerprint(string database, string where)
        => Query(database, $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '') FROM orders t WHERE {where}");

    private string DayFilter()
    {
        var day = Query(Sample, "SELECT to_char(date_trunc('day', min(created_at)) + interval '3 days', 'YYYY-MM-DD') FROM orders");
        return $"created_at >= timestamptz '{day} 00:00:00+00' AND created_at < timestamptz '{day} 00:00:00+00' + interval '1 day'";
    }

    /// <summary>A copy of the sample that lost a day of orders (and their items and shipments).</summary>
    private string ProductionWithoutDay(string day)
    {
        var prod = $"td_cluster_{Interlocked.Increment(ref _counter)}_{Environment.ProcessId}";
        cluster.Sandbox.Execute("postgres", $"CREATE DATABASE {prod} TEMPLATE {Sample}");
        var items = $"order_id IN (SELECT id FROM orders WHERE {day})";
        cluster.Sandbox.Execute(prod, $"DELETE FROM shipments WHERE {items}; DELETE FROM order_items WHERE {items}; DELETE FROM orders WHERE {day};");
        return prod;
    }

    [Fact]
    public void A_weekly_backup_gives_back_the_day_from_the_archive_of_the_database_that_holds_the_table()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest
        {
            Connection = cluster.Sandbox.Connection, Tier = BackupTier.Weekly,
            Storage = new StorageOptions { Compression = CompressionCodec.Zstd(), Encryption = OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()) },
        }, repo);
        var day = DayFilter();
        var expected = Fingerprint(Sample, day);
        var prod = ProductionWithoutDay(day);
        var others = Fingerprint(prod, $"NOT ({day})");

        // No source database named: the only database of the backup that has an orders table.
        var result = Assert.Single(new TableDataRestore().Run(new TableDataRequest
        {
            Backup = backup, Tables = ["orders"], Filter = day, TargetDatabase = prod, Connection = cluster.Sandbox.Connection,
            Keys = BackupKeys.WithPassphrase(Passphrase),
        }, repo));
        Assert.Equal(Sample, result.SourceDatabase);
        Assert.Equal(long.Parse(expected.Split(':')[0]), result.RowsInserted);
        Assert.Equal(expected, Fingerprint(prod, day));
        Assert.Equal(others, Fingerprint(prod, $"NOT ({day})"));
        Assert.Equal("0", Query("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar\\_tabledata\\_%'"));
    }

    [Fact]
    public void A_base_backup_gives_back_the_day_through_a_scratch_cluster_that_is_removed_afterwards()
    {
        var repo = new FileSystemRepository(_dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest { Connection = cluster.Sandbox.Connection, Tier = BackupTier.Base, Checkpoint = CheckpointMode.Fast }, repo);
        var day = DayFilter();
        var expected = Fingerprint(Sample, day);
        var prod = ProductionWithoutDay(day);
        var reporter = new HookReporter();

        var results = new TableDataRestore(reporter).Run(new TableDataRequest
        {
            Backup = backup, Tables = ["order_items", "orders"], Filter = day, SourceDatabase = Sample, TargetDatabase = prod,
            Connection = cluster.Sandbox.Connection,
        }, repo);
        Assert.Equal(["public.orders", "public.order_items"], results.Select(r => r.Table));
        Assert.Equal(long.Parse(expected.Split(':')[0]), results[0].RowsInserted);
        Assert.Equal(3 * results[0].RowsInserted, results[1].RowsInserted);
        Assert.Equal(expected, Fingerprint(prod, day));
        Assert.Contains(reporter.Verbose, v => v.Contains("runs as a scratch cluster"));
        Assert.False(Directory.Exists(ScratchDirectory(reporter)));

        // A table the target lacks is found before any cluster is restored.
        var quick = new HookReporter();
        var noTable = Assert.Throws<Diagnostics.ShippyarException>(() => new TableDataRestore(quick).Run(new TableDataRequest
        {
            Backup = backup, Tables = ["no_such_table"], SourceDatabase = Sample, TargetDatabase = prod, Connection = cluster.Sandbox.Connection,
        }, repo));
        Assert.Equal(Diagnostics.ErrorIds.TargetTableNotFound, noTable.ErrorId);
        Assert.DoesNotContain(quick.Verbose, v => v.Contains("scratch data directory"));

        // A source database the base backup does not hold: a clear error, and the scratch cluster is gone too.
        var again = new HookReporter();
        var missing = Assert.Throws<Diagnostics.ShippyarException>(() => new TableDataRestore(again).Run(new TableDataRequest
        {
            Backup = backup, Tables = ["orders"], SourceDatabase = "no_such_db", TargetDatabase = prod, Connection = cluster.Sandbox.Connection,
        }, repo));
        Assert.Equal(Diagnostics.ErrorIds.DatabaseNotInBackup, missing.ErrorId);
        Assert.False(Directory.Exists(ScratchDirectory(again)));
    }

    /// <summary>The scratch data directory's folder (the run's own), from what the engine said.</summary>
    private static string ScratchDirectory(HookReporter reporter)
    {
        var line = Assert.Single(reporter.Verbose, v => v.Contains("into the scratch data directory "));
        var data = line[(line.IndexOf("scratch data directory ", StringComparison.Ordinal) + "scratch data directory ".Length)..].TrimEnd('.');
        Assert.EndsWith("/data", data);
        return Path.GetDirectoryName(data)!;
    }
}
