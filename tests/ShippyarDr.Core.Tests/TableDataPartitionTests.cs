using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Repository;
using ShippyarDr.TableData;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Partial data recovery of a partitioned table (how large order tables are often kept): the scratch database gets the
/// parent, its partitions (sub-partitions too) and their attachments, the rows are read through the parent, and the
/// target routes them into its own partitions.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TableDataPartitionTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Scalar(string database, string sql) => fixture.Sandbox.QueryScalar(database, sql)!;

    private string Fingerprint(string database, string where)
        => Scalar(database, $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY id)), '') FROM events t WHERE {where}");

    [Fact]
    public void A_day_of_a_partitioned_table_comes_back_into_its_partitions_and_the_conflict_rule_holds_on_the_parent_key()
    {
        var db = "td_part_" + Guid.NewGuid().ToString("n")[..6];
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {db}");
        fixture.Sandbox.Execute(db, """
            CREATE TABLE events (id bigint NOT NULL, created_at timestamptz NOT NULL, kind text NOT NULL, payload jsonb, PRIMARY KEY (id, created_at, kind))
                PARTITION BY RANGE (created_at);
            CREATE TABLE events_2026_10 PARTITION OF events FOR VALUES FROM ('2026-10-01 00:00+00') TO ('2026-11-01 00:00+00');
            CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01 00:00+00') TO ('2026-12-01 00:00+00')
                PARTITION BY LIST (kind);
            CREATE TABLE events_2026_11_click PARTITION OF events_2026_11 FOR VALUES IN ('click');
            CREATE TABLE events_2026_11_rest PARTITION OF events_2026_11 DEFAULT;
            CREATE TABLE events_other PARTITION OF events DEFAULT;
            CREATE TABLE unrelated (id int PRIMARY KEY);
            INSERT INTO unrelated SELECT generate_series(1, 10);
            INSERT INTO events SELECT g, timestamptz '2026-10-20 00:00+00' + g * interval '17 minutes', (ARRAY['click','view','buy'])[1 + g % 3],
                jsonb_build_object('n', g) FROM generate_series(1, 6000) g;
            """);
        var repo = new FileSystemRepository(_dir.Path);
        var backup = new BackupEngine().Run(new BackupRequest { Database = db, Connection = fixture.Sandbox.Connection }, repo);
        const string day = "created_at >= timestamptz '2026-11-10 00:00+00' AND created_at < timestamptz '2026-11-11 00:00+00'";
        var before = Fingerprint(db, day);
        var others = Fingerprint(db, $"NOT ({day})");
        Assert.NotEqual("0:", before);
        fixture.Sandbox.Execute(db, $"DELETE FROM events WHERE {day}; UPDATE events SET payload = NULL WHERE id = 1000");

        var reporter = new HookReporter("no such status", () => { });
        var results = new TableDataRestore(reporter).Run(new TableDataRequest
        {
            Backup = backup, Tables = ["events"], Filter = day, TargetDatabase = db, Connection = fixture.Sandbox.Connection, OnConflict = ConflictRule.DoNothing,
        }, repo);
        var entries = Assert.Single(reporter.Verbose, v => v.StartsWith("Restoring ", StringComparison.Ordinal) && v.Contains("entries of the archive"));
        foreach (var partition in new[] { "events_2026_10", "events_2026_11", "events_2026_11_click", "events_2026_11_rest", "events_other" })
        {
            Assert.Contains($"TABLE public {partition};", entries + ";");
            Assert.Contains($"TABLE ATTACH public {partition}", entries);
        }
        Assert.Contains("TABLE DATA public events_2026_11_click", entries);
        Assert.DoesNotContain("unrelated", entries);
        var result = Assert.Single(results);
        Assert.Equal("public.events", result.Table);
        Assert.Equal(long.Parse(before.Split(':')[0]), result.RowsInserted);
        Assert.Equal(before, Fingerprint(db, day));
        Assert.Equal("0", Scalar(db, $"SELECT count(*) FROM ONLY events_2026_11 WHERE {day}")); // routed into the leaf partitions
        Assert.NotEqual("0", Scalar(db, $"SELECT count(*) FROM events_2026_11_click WHERE {day}"));

        // Update on the parent's primary key: the row changed since the backup gets its values back, within its partition.
        var id1000 = Scalar(db, "SELECT created_at FROM events WHERE id = 1000");
        var update = new TableDataRestore().Run(new TableDataRequest
        {
            Backup = backup, Tables = ["events"], Filter = "id = 1000", TargetDatabase = db, Connection = fixture.Sandbox.Connection, OnConflict = ConflictRule.Update,
        }, repo);
        Assert.Equal(1, Assert.Single(update).RowsUpdated);
        Assert.Equal(others, Fingerprint(db, $"NOT ({day})"));
        Assert.Equal(id1000, Scalar(db, "SELECT created_at FROM events WHERE id = 1000"));
        Assert.Equal("0", Scalar("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar\\_tabledata\\_%'"));
    }
}
