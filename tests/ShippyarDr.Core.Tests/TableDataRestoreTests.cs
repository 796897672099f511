using ShippyarDr.Backup;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.TableData;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// Partial data recovery from a Daily backup of the sample database: a day of orders deleted in "production" (a copy
/// of the sample) comes back exactly, through a scratch database that holds only the tables asked for.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TableDataRestoreTests(SandboxFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Sample = SandboxFixture.SampleDatabase;

    private (BackupInfo Backup, IBackupRepository Repo) BackupOf(string database)
    {
        var repo = new FileSystemRepository(_dir.Path);
        return (new BackupEngine().Run(new BackupRequest { Database = database, Connection = fixture.Sandbox.Connection }, repo), repo);
    }

    /// <summary>One day of the sample's orders (created_at spans 30 days back from its creation).</summary>
    private string DayFilter(string database)
    {
        var day = fixture.Sandbox.QueryScalar(database, "SELECT to_char(date_trunc('day', min(created_at)) + interval '10 days', 'YYYY-MM-DD') FROM orders");
        return $"created_at >= timestamptz '{day} 00:00:00+00' AND created_at < timestamptz '{day} 00:00:00+00' + interval '1 day'";
    }

    private string Fingerprint(string database, string table, string where, string order)
        => fixture.Sandbox.QueryScalar(database, $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY {order})), '') FROM {table} t WHERE {where}")!;

    private static string ItemsOf(string dayFilter) => $"order_id IN (SELECT id FROM orders WHERE {dayFilter})";

    private string Count(string database, string sql) => fixture.Sandbox.QueryScalar(database, sql)!;

    private string ScratchDatabases() => Count("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shippyar\\_tabledata\\_%'");

    private TableDataRequest Request(BackupInfo backup, string target, string[] tables, string? filter, ConflictRule rule = ConflictRule.DoNothing, bool whatIf = false)
        => new() { Backup = backup, Tables = tables, Filter = filter, TargetDatabase = target, Connection = fixture.Sandbox.Connection, OnConflict = rule, WhatIf = whatIf };

    [Fact]
    public void A_deleted_day_of_orders_and_their_items_comes_back_exactly_parents_first_and_other_days_stay_as_they_are()
    {
        var (backup, repo) = BackupOf(Sample);
        var day = DayFilter(Sample);
        var ordersDay = Fingerprint(Sample, "orders", day, "id");
        var itemsDay = Fingerprint(Sample, "order_items", ItemsOf(day), "order_id, line_no");
        Assert.NotEqual("0:", ordersDay);
        var prod = fixture.CloneSample("td_prod");
        // Production goes on: a new order on another day, which the restore must leave alone.
        fixture.Sandbox.Execute(prod, "INSERT INTO orders VALUES (900000001, 1, 'new', 1, 'USD', now(), NULL, '{}')");
        var otherOrders = Fingerprint(prod, "orders", $"NOT ({day})", "id");
        var otherItems = Fingerprint(prod, "order_items", $"NOT ({ItemsOf(day)})", "order_id, line_no");
        fixture.Sandbox.Execute(prod, $"""
            DELETE FROM shipments WHERE {ItemsOf(day)};
            DELETE FROM order_items WHERE {ItemsOf(day)};
            DELETE FROM orders WHERE {day};
            """);
        Assert.Equal("0", Count(prod, $"SELECT count(*) FROM orders WHERE {day}"));

        // While the rows are copied, the scratch database holds exactly the two tables asked for.
        string? scratchTables = null;
        var reporter = new HookReporter("Copying rows of public.orders", () =>
        {
            var scratch = Count("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'shippyar\\_tabledata\\_%'");
            scratchTables = Count(scratch, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
        });
        // Children named first: written parents first all the same; the items are those of the orders the filter selects.
        var results = new TableDataRestore(reporter).Run(Request(backup, prod, ["order_items", "public.orders"], day), repo);
        Assert.Equal("order_items,orders", scratchTables);
        var entries = Assert.Single(reporter.Verbose, v => v.StartsWith("Restoring ", StringComparison.Ordinal) && v.Contains("entries of the archive"));
        Assert.Contains("TABLE public orders", entries);
        Assert.Contains("TABLE DATA public order_items", entries);
        Assert.DoesNotContain("users", entries);
        Assert.DoesNotContain("shipments", entries);
        Assert.DoesNotContain("INDEX", entries);
        Assert.Contains(reporter.Verbose, v => v == "Writing in foreign key order: public.orders, public.order_items.");

        Assert.Equal(new[] { "public.orders", "public.order_items" }, results.Select(r => r.Table));
        var n = long.Parse(ordersDay.Split(':')[0]);
        Assert.Equal((n, n, 0L, 0L), (results[0].RowsSelected, results[0].RowsInserted, results[0].RowsUpdated, results[0].RowsSkipped));
        Assert.Equal(ordersDay, Fingerprint(prod, "orders", day, "id"));
        Assert.Equal(otherOrders, Fingerprint(prod, "orders", $"NOT ({day})", "id"));
        Assert.Equal(3 * n, results[1].RowsInserted);
        Assert.Equal(itemsDay, Fingerprint(prod, "order_items", ItemsOf(day), "order_id, line_no"));
        Assert.Equal(otherItems, Fingerprint(prod, "order_items", $"NOT ({ItemsOf(day)})", "order_id, line_no"));
        Assert.Equal(day, results[0].Filter);
        Assert.Equal("rows referencing the rows selected in public.orders", results[1].Filter);
        Assert.Equal("0", ScratchDatabases());
        Assert.All(results, r => Assert.Equal(backup.Id, r.BackupId));
    }
}
