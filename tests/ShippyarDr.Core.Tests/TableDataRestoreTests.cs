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

    /// <summary>Production after the incident: of the day's orders, the even ids are gone and the odd ones were changed.</summary>
    private (string Prod, string Day, long Gone, long Changed, string DayBefore) HalfGoneHalfChanged()
    {
        var day = DayFilter(Sample);
        var prod = fixture.CloneSample("td_rule");
        var dayBefore = Fingerprint(Sample, "orders", day, "id");
        fixture.Sandbox.Execute(prod, $"""
            DELETE FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE ({day}) AND id % 2 = 0);
            DELETE FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE ({day}) AND id % 2 = 0);
            DELETE FROM orders WHERE ({day}) AND id % 2 = 0;
            UPDATE orders SET status = 'changed' WHERE ({day}) AND id % 4 = 1;
            """);
        var gone = long.Parse(Count(Sample, $"SELECT count(*) FROM orders WHERE ({day}) AND id % 2 = 0"));
        var changed = long.Parse(Count(prod, "SELECT count(*) FROM orders WHERE status = 'changed'"));
        Assert.True(gone > 0 && changed > 0);
        return (prod, day, gone, changed, dayBefore);
    }

    [Theory]
    [InlineData(ConflictRule.DoNothing)]
    [InlineData(ConflictRule.Update)]
    [InlineData(ConflictRule.Error)]
    public void Each_conflict_rule_does_what_it_says_and_WhatIf_counts_the_same_without_writing(ConflictRule rule)
    {
        var (backup, repo) = BackupOf(Sample);
        var (prod, day, gone, changed, dayBefore) = HalfGoneHalfChanged();
        var selected = long.Parse(dayBefore.Split(':')[0]);
        var prodBefore = Fingerprint(prod, "orders", "true", "id");

        var preview = Assert.Single(new TableDataRestore().Run(Request(backup, prod, ["orders"], day, rule, whatIf: true), repo));
        Assert.True(preview.WhatIf);
        Assert.Equal(prodBefore, Fingerprint(prod, "orders", "true", "id"));
        Assert.Equal("0", ScratchDatabases());
        Assert.Equal(selected, preview.RowsSelected);
        Assert.Equal(gone, preview.RowsInserted);
        Assert.Equal(rule == ConflictRule.Update ? changed : 0, preview.RowsUpdated);
        Assert.Equal(selected - gone, preview.RowsConflicting);
        Assert.Equal(rule == ConflictRule.Error ? 0 : selected - gone - preview.RowsUpdated, preview.RowsSkipped);

        if (rule == ConflictRule.Error)
        {
            var e = Assert.Throws<ShippyarException>(() => new TableDataRestore().Run(Request(backup, prod, ["orders"], day, rule), repo));
            Assert.Equal(ErrorIds.TableDataConflict, e.ErrorId);
            Assert.Contains($"{selected - gone} of the {selected} rows", e.Message);
            Assert.Equal(prodBefore, Fingerprint(prod, "orders", "true", "id"));
            Assert.Equal("0", ScratchDatabases());
            return;
        }
        var result = Assert.Single(new TableDataRestore().Run(Request(backup, prod, ["orders"], day, rule), repo));
        Assert.False(result.WhatIf);
        Assert.Equal((preview.RowsSelected, preview.RowsInserted, preview.RowsUpdated, preview.RowsSkipped, preview.RowsConflicting),
            (result.RowsSelected, result.RowsInserted, result.RowsUpdated, result.RowsSkipped, result.RowsConflicting));
        if (rule == ConflictRule.Update) Assert.Equal(dayBefore, Fingerprint(prod, "orders", day, "id"));
        else
        {
            Assert.Equal(changed.ToString(), Count(prod, "SELECT count(*) FROM orders WHERE status = 'changed'"));
            Assert.Equal(selected.ToString(), Count(prod, $"SELECT count(*) FROM orders WHERE {day}"));
        }
        Assert.Equal("0", ScratchDatabases());
    }

    [Fact]
    public void An_Error_conflict_in_the_second_table_writes_nothing_to_the_first()
    {
        var (backup, repo) = BackupOf(Sample);
        var day = DayFilter(Sample);
        var prod = fixture.CloneSample("td_atomic");
        // The day's orders are gone, but their first items stayed behind (the key is NOT VALID now): the items conflict.
        fixture.Sandbox.Execute(prod, $"""
            ALTER TABLE order_items DROP CONSTRAINT order_items_order_id_fkey;
            ALTER TABLE shipments DROP CONSTRAINT shipments_order_id_fkey;
            DELETE FROM order_items WHERE {ItemsOf(day)} AND line_no > 1;
            DELETE FROM orders WHERE {day};
            ALTER TABLE order_items ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders(id) NOT VALID;
            """);
        var before = Count(prod, "SELECT count(*) FROM orders");
        var e = Assert.Throws<ShippyarException>(() => new TableDataRestore().Run(Request(backup, prod, ["orders", "order_items"], day, ConflictRule.Error), repo));
        Assert.Equal(ErrorIds.TableDataConflict, e.ErrorId);
        Assert.Contains("public.order_items", e.Message);
        Assert.Equal(before, Count(prod, "SELECT count(*) FROM orders"));
        Assert.Equal("0", ScratchDatabases());
    }

    [Fact]
    public void Columns_match_by_name_identity_keeps_its_values_generated_columns_are_the_targets_and_enums_travel_as_text()
    {
        var source = fixture.UniqueName("td_shape_src");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {source}");
        fixture.Sandbox.Execute(source, """
            CREATE TYPE mood AS ENUM ('calm', 'cross');
            CREATE DOMAIN positive AS int CHECK (VALUE > 0);
            CREATE TABLE notes (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text, weight positive, twice int GENERATED ALWAYS AS (weight * 2) STORED, moods mood[], m mood);
            INSERT INTO notes (body, weight, moods, m) SELECT 'note ' || g, g, ARRAY['calm', 'cross']::mood[], 'cross' FROM generate_series(1, 20) g;
            CREATE TABLE other (id int PRIMARY KEY);
            """);
        var (backup, repo) = BackupOf(source);
        // The target's table has its columns in another order, and another generated expression.
        var prod = fixture.UniqueName("td_shape_prod");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {prod}");
        fixture.Sandbox.Execute(prod, """
            CREATE TYPE mood AS ENUM ('calm', 'cross');
            CREATE DOMAIN positive AS int CHECK (VALUE > 0);
            CREATE TABLE notes (m mood, twice int GENERATED ALWAYS AS (weight * 2) STORED, weight positive, body text, moods mood[], id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
            """);
        var reporter = new HookReporter();
        var result = Assert.Single(new TableDataRestore(reporter).Run(Request(backup, prod, ["notes"], "id <= 10"), repo));
        Assert.Equal(10, result.RowsInserted);
        Assert.Equal(
            Count(source, "SELECT string_agg(concat_ws('/', id, body, weight, twice, moods, m), ',' ORDER BY id) FROM notes WHERE id <= 10"),
            Count(prod, "SELECT string_agg(concat_ws('/', id, body, weight, twice, moods, m), ',' ORDER BY id) FROM notes"));
        // The target's identity sequence moved past the restored ids: the next row does not collide with them.
        Assert.Contains(reporter.Verbose, v => v.StartsWith("Sequence notes_id_seq of public.notes.id moved on to 10", StringComparison.Ordinal));
        Assert.Equal("11", Count(prod, "INSERT INTO notes (body, weight) VALUES ('after', 1) RETURNING id"));
        var entries = Assert.Single(reporter.Verbose, v => v.Contains("entries of the archive"));
        Assert.Contains("TYPE public mood", entries);
        Assert.Contains("DOMAIN public positive", entries);
        Assert.Contains("SEQUENCE public notes_id_seq", entries);
        Assert.DoesNotContain("other", entries);
    }

    [Fact]
    public void Clear_errors_and_the_scratch_database_is_dropped_after_a_failure()
    {
        var (backup, repo) = BackupOf(Sample);
        var prod = fixture.CloneSample("td_errors");
        ShippyarException Fails(TableDataRequest request) => Assert.Throws<ShippyarException>(() => new TableDataRestore().Run(request, repo));

        Assert.Equal(ErrorIds.TableNotInBackup, Fails(Request(backup, prod, ["nosuch"], null)).ErrorId);
        Assert.Contains("Orders", Fails(Request(backup, prod, ["Orders"], null)).Message); // names the case-sensitive match
        fixture.Sandbox.Execute(prod, "DROP TABLE shipments");
        var missing = Fails(Request(backup, prod, ["shipments"], null));
        Assert.Equal(ErrorIds.TargetTableNotFound, missing.ErrorId);
        fixture.Sandbox.Execute(prod, "ALTER TABLE order_items DROP CONSTRAINT order_items_pkey");
        var noKey = Fails(Request(backup, prod, ["order_items"], "order_id = 1", ConflictRule.Update));
        Assert.Equal(ErrorIds.TargetTableHasNoPrimaryKey, noKey.ErrorId);
        Assert.DoesNotContain("-OnConflict", noKey.Message);
        // Without a key only the rule that fails on conflicts may run: it inserts every row selected.
        var appended = Assert.Single(new TableDataRestore().Run(Request(backup, prod, ["order_items"], "order_id = 1", ConflictRule.Error), repo));
        Assert.Equal(3, appended.RowsInserted);

        var semicolon = Fails(Request(backup, prod, ["orders"], "true; DROP TABLE orders"));
        Assert.Equal(ErrorIds.InvalidRowFilter, semicolon.ErrorId);
        Assert.Equal(ErrorIds.InvalidRowFilter, Fails(Request(backup, prod, ["orders"], "true) OR (true")).ErrorId);
        // A filter the server rejects: its message, and where in the filter; the scratch database is gone all the same.
        var bad = Fails(Request(backup, prod, ["orders"], "created_at > now() AND no_such_column = 1"));
        Assert.Equal(ErrorIds.InvalidRowFilter, bad.ErrorId);
        Assert.Contains("no_such_column", bad.Message);
        Assert.Contains("at character 24 of the filter", bad.Message);
        // The filter runs in a read-only transaction of the scratch copy.
        var writes = Fails(Request(backup, prod, ["orders"], "id IN (SELECT nextval('no_seq'))"));
        Assert.Equal(ErrorIds.InvalidRowFilter, writes.ErrorId);
        Assert.Equal("0", ScratchDatabases());
        Assert.Equal(Count(Sample, "SELECT count(*) FROM orders"), Count(prod, "SELECT count(*) FROM orders"));
    }

    [Theory]
    [InlineData("Restoring public.orders into the scratch database")]
    [InlineData("Copying rows of public.orders")]
    [InlineData("Writing rows of public.orders")]
    public void A_cancelled_restore_writes_nothing_and_drops_its_scratch_database(string at)
    {
        var (backup, repo) = BackupOf(Sample);
        var prod = fixture.CloneSample("td_cancel");
        fixture.Sandbox.Execute(prod, "DELETE FROM order_items WHERE order_id <= 10; DELETE FROM shipments WHERE order_id <= 10; DELETE FROM orders WHERE id <= 10");
        using var cancel = new CancellationTokenSource();
        var reporter = new HookReporter(at, cancel.Cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => new TableDataRestore(reporter).Run(Request(backup, prod, ["orders"], "id <= 10"), repo, cancel.Token));
        Assert.Equal("0", Count(prod, "SELECT count(*) FROM orders WHERE id <= 10"));
        Assert.Equal("0", ScratchDatabases());
    }

    [Fact]
    public void A_scratch_database_a_killed_run_left_is_a_TableData_leftover_and_the_next_run_drops_it()
    {
        var (backup, repo) = BackupOf(Sample);
        var prod = fixture.CloneSample("td_leftover");
        var deadToken = Leftovers.RunNaming.NewToken();
        var left = Leftovers.RunNaming.DatabaseName(LeftoverKind.TableData, deadToken, backup.Id);
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {left}");
        fixture.Sandbox.Execute("postgres", $"COMMENT ON DATABASE {left} IS '{Leftovers.RunNaming.Note(LeftoverKind.TableData, deadToken, backup.Id, prod)}'");
        var found = Assert.Single(Leftovers.LeftoverFinder.Find(fixture.Sandbox.Connection), l => l.Name == left);
        Assert.Equal(LeftoverKind.TableData, found.Kind);
        Assert.False(found.OwnedByLiveRun);
        Assert.Equal(prod, found.TargetDatabase);

        var reporter = new HookReporter();
        new TableDataRestore(reporter).Run(Request(backup, prod, ["orders"], "id = 1"), repo);
        Assert.Contains(reporter.Warnings, w => w.Contains(left) && w.Contains("partial data restore"));
        Assert.Equal("0", ScratchDatabases());
    }

    [Fact]
    public void Rows_the_target_refuses_fail_the_restore_whole_and_a_name_in_two_schemas_needs_its_schema()
    {
        var (backup, repo) = BackupOf(Sample);
        var day = DayFilter(Sample);
        var prod = fixture.CloneSample("td_refused");
        fixture.Sandbox.Execute(prod, $"DELETE FROM shipments WHERE {ItemsOf(day)}; DELETE FROM order_items WHERE {ItemsOf(day)}; DELETE FROM orders WHERE {day};");
        // The items alone: their orders are not in the target, so its foreign key refuses them.
        // (The scratch copy holds only the tables named: a filter on order_items cannot read orders there.)
        var notThere = Assert.Throws<ShippyarException>(() => new TableDataRestore().Run(Request(backup, prod, ["order_items"], ItemsOf(day)), repo));
        Assert.Equal(ErrorIds.InvalidRowFilter, notThere.ErrorId);
        Assert.Contains("\"orders\" does not exist", notThere.Message);
        var ids = Count(Sample, $"SELECT string_agg(id::text, ',') FROM orders WHERE {day}");
        var refused = Assert.Throws<ShippyarException>(() => new TableDataRestore().Run(Request(backup, prod, ["order_items"], $"order_id IN ({ids})"), repo));
        Assert.Equal(ErrorIds.TableDataWriteFailed, refused.ErrorId);
        Assert.Contains("order_items_order_id_fkey", refused.Message);
        Assert.Contains("Nothing was written", refused.Message);
        Assert.Equal("0", Count(prod, $"SELECT count(*) FROM order_items WHERE {ItemsOf(day)}"));

        var source = fixture.UniqueName("td_schemas");
        fixture.Sandbox.Execute("postgres", $"CREATE DATABASE {source}");
        fixture.Sandbox.Execute(source, "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (id int PRIMARY KEY); CREATE TABLE b.t (id int PRIMARY KEY); INSERT INTO a.t VALUES (1), (2); INSERT INTO b.t VALUES (3);");
        var (two, twoRepo) = BackupOf(source);
        fixture.Sandbox.Execute(source, "DELETE FROM a.t");
        var ambiguous = Assert.Throws<ShippyarException>(() => new TableDataRestore().Run(Request(two, source, ["t"], null), twoRepo));
        Assert.Equal(ErrorIds.TableNameAmbiguous, ambiguous.ErrorId);
        Assert.Contains("a.t, b.t", ambiguous.Message);
        var restored = Assert.Single(new TableDataRestore().Run(Request(two, source, ["a.t"], null), twoRepo));
        Assert.Equal(("a.t", 2L), (restored.Table, restored.RowsInserted));
    }
}
