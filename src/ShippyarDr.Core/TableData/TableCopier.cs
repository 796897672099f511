using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ShippyarDr.Diagnostics;
using static ShippyarDr.TableData.TableName;

namespace ShippyarDr.TableData;

/// <summary>
/// Copies the selected rows of some tables from a source database (the backup's scratch copy) into the target, in one
/// transaction on the target: binary COPY out of the source, straight into a temporary table on the target (one buffer
/// in between, no file), then one INSERT … SELECT per table that applies the conflict rule on the target's primary key.
/// Columns are matched by name; generated columns are left to the target, identity columns keep the backup's values.
/// Built-in types travel in binary; other types (enums, domains, composites, their arrays: oids differ between
/// databases) as text, cast to the target's type. The row filter selects the rows of the tables that reference none of the
/// others; a table with a foreign key onto another of them takes the rows that reference the rows selected there (the
/// items of a day's orders). With whatIf the temporary tables are only compared with the target,
/// and the transaction is rolled back.
/// </summary>
internal sealed class TableCopier(NpgsqlConnection source, NpgsqlConnection target, IOperationReporter reporter, string activity)
{
    private const int BufferSize = 1 << 16;
    /// <summary>Cancels the statement running on either server (Npgsql sends a cancel request), so a Ctrl+C rolls back at once.</summary>
    private CancellationToken _cancel;

    public IReadOnlyList<TableDataResult> Run(IReadOnlyList<TableShape> targets, IReadOnlyList<ForeignKey> keys, ConflictRule rule, RowFilter? filter, bool whatIf,
        CancellationToken cancel)
    {
        _cancel = cancel;
        var results = new List<TableDataResult>();
        using var read = source.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        Execute(source, "SET TRANSACTION READ ONLY");
        using var write = target.BeginTransaction();
        for (var i = 0; i < targets.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var parents = keys.Where(k => k.Child == targets[i].Oid).Select(k => targets.First(t => t.Oid == k.Parent).Table.Qualified).Distinct().ToList();
            var selectedBy = filter is null ? null : parents.Count == 0 ? filter.Text : $"rows referencing the rows selected in {string.Join(" or ", parents)}";
            results.Add(CopyOne(targets[i], $"shippyar_rows_{i}", rule, filter, Selection(targets[i], targets, keys, filter, new HashSet<uint>()), selectedBy, whatIf, cancel));
        }
        cancel.ThrowIfCancellationRequested();
        if (whatIf) write.Rollback();
        else
        {
            reporter.Progress(activity, "Committing");
            write.Commit();
        }
        read.Rollback();
        return results;
    }

    /// <summary>The WHERE clause that selects a table's rows in the source: the filter, or the references to the rows selected in its parents.</summary>
    private static string Selection(TableShape table, IReadOnlyList<TableShape> all, IReadOnlyList<ForeignKey> keys, RowFilter? filter, HashSet<uint> path)
    {
        if (filter is null) return "";
        var parents = keys.Where(k => k.Child == table.Oid && !path.Contains(k.Parent)).ToList();
        if (parents.Count == 0) return filter.WhereClause;
        path.Add(table.Oid);
        var references = parents.Select(k =>
        {
            var parent = all.First(t => t.Oid == k.Parent);
            return $"({string.Join(", ", k.ChildColumns.Select(Quote))}) IN (SELECT {string.Join(", ", k.ParentColumns.Select(Quote))} FROM {parent.Rows} {Selection(parent, all, keys, filter, path)})";
        }).ToList();
        path.Remove(table.Oid);
        return "WHERE " + string.Join(" OR ", references);
    }

    private TableDataResult CopyOne(TableShape into, string staged, ConflictRule rule, RowFilter? filter, string where, string? selectedBy, bool whatIf, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var table = into.Table;
        var stagedSql = "pg_temp." + Quote(staged);
        var from = TableShape.Read(source, table) ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.TableNotInBackup,
            $"The backup's copy has no table {table.Qualified}.", table.Qualified);
        var columns = Match(from, into);
        var result = new TableDataResult { Table = table.Qualified, OnConflict = rule, Filter = selectedBy, WhatIf = whatIf };

        // The target's side: a temporary table with the target's types, or text where the value travels as text.
        Execute(target, $"CREATE TEMP TABLE {stagedSql} ON COMMIT DROP AS SELECT "
                        + string.Join(", ", columns.Select(c => c.Binary ? Quote(c.Name) : $"NULL::text AS {Quote(c.Name)}"))
                        + $" FROM ONLY {table.Sql} WITH NO DATA");
        var list = string.Join(", ", columns.Select(c => Quote(c.Name)));
        var copyOut = $"COPY (SELECT {string.Join(", ", columns.Select(c => c.Binary ? Quote(c.Name) : $"{Quote(c.Name)}::text"))} FROM {from.Rows} {where}) TO STDOUT (FORMAT binary)";
        reporter.Progress(activity, $"Copying rows of {table.Qualified}");
        Stream(copyOut, $"COPY {stagedSql} ({list}) FROM STDIN (FORMAT binary)", filter, table, cancel);
        result.RowsSelected = Scalar(target, $"SELECT count(*) FROM {stagedSql}");

        // The staged values in the target's types (a value that travelled as text is cast back).
        string Values(bool named) => string.Join(", ", columns.Select(c =>
            (c.Binary ? $"s.{Quote(c.Name)}" : $"s.{Quote(c.Name)}::{c.Shape.Type}") + (named ? $" AS {Quote(c.Name)}" : "")));
        var values = Values(named: false);
        var updatable = columns.Where(c => !into.KeyColumns.Contains(c.Name) && c.Shape.Identity != 'a').ToList();
        var changed = $"ROW({string.Join(", ", updatable.Select(c => $"t.{Quote(c.Name)}"))})::text IS DISTINCT FROM ROW({string.Join(", ", updatable.Select(c => $"{{0}}.{Quote(c.Name)}"))})::text";
        if (into.PrimaryKey is not null && (whatIf || rule == ConflictRule.Error))
        {
            // Against the target's current rows, without writing: how many keys are new, and of the others how many differ.
            var staysOrDiffers = updatable.Count == 0 ? "false" : string.Format(CultureInfo.InvariantCulture, changed, "v");
            var join = string.Join(" AND ", into.KeyColumns.Select(k => $"t.{Quote(k)} = v.{Quote(k)}"));
            using var cmd = new NpgsqlCommand(
                $"SELECT count(*) FILTER (WHERE t.ctid IS NULL), count(*) FILTER (WHERE t.ctid IS NOT NULL AND {staysOrDiffers}), count(*) FILTER (WHERE t.ctid IS NOT NULL) "
                + $"FROM (SELECT {Values(named: true)} FROM {stagedSql} s) v LEFT JOIN {into.Rows} t ON {join}", target);
            using var r = cmd.ExecuteReaderAsync(_cancel).GetAwaiter().GetResult();
            r.Read();
            var (fresh, differing, existing) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
            if (rule == ConflictRule.Error && existing > 0 && whatIf)
                reporter.Warning($"{existing} of the {result.RowsSelected} rows selected from the backup's {table.Qualified} have keys that the target holds already: with the rule that fails on a conflict, the restore would fail and write nothing.");
            else if (rule == ConflictRule.Error && existing > 0)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TableDataConflict,
                    $"{existing} of the {result.RowsSelected} rows selected from the backup's {table.Qualified} have keys that {table.Qualified} in the target holds already "
                    + $"({differing} of them with other values), and the rule is to fail on a conflict. Nothing was written to the target.", table.Qualified);
            if (whatIf)
            {
                result.RowsInserted = fresh;
                result.RowsConflicting = existing;
                result.RowsUpdated = rule == ConflictRule.Update ? differing : 0;
                result.RowsSkipped = rule == ConflictRule.Error ? 0 : existing - result.RowsUpdated;
                result.Duration = clock.Elapsed;
                return result;
            }
        }
        if (whatIf)
        {
            // No primary key (only allowed when a conflict fails): every row would be inserted.
            result.RowsInserted = result.RowsSelected;
            result.Duration = clock.Elapsed;
            return result;
        }

        reporter.Progress(activity, $"Writing rows of {table.Qualified}");
        var overriding = columns.Any(c => c.Shape.Identity == 'a') ? " OVERRIDING SYSTEM VALUE" : "";
        var insert = $"INSERT INTO {table.Sql} AS t ({list}){overriding} SELECT {values} FROM {stagedSql} s";
        try
        {
            switch (rule)
            {
                case ConflictRule.Error:
                    result.RowsInserted = Execute(target, insert);
                    break;
                case ConflictRule.Update when updatable.Count > 0 && into.Partitioned:
                {
                    // RETURNING cannot read xmax through a partitioned table: the changed rows are updated first, then the
                    // new ones inserted (the same transaction, so the same result as one INSERT … ON CONFLICT DO UPDATE).
                    var join = string.Join(" AND ", into.KeyColumns.Select(k => $"t.{Quote(k)} = v.{Quote(k)}"));
                    result.RowsUpdated = Execute(target, $"UPDATE {table.Sql} AS t SET {string.Join(", ", updatable.Select(c => $"{Quote(c.Name)} = v.{Quote(c.Name)}"))} "
                        + $"FROM (SELECT {Values(named: true)} FROM {stagedSql} s) v WHERE {join} AND {string.Format(CultureInfo.InvariantCulture, changed, "v")}");
                    result.RowsInserted = Execute(target, $"{insert} ON CONFLICT ON CONSTRAINT {Quote(into.PrimaryKey!)} DO NOTHING");
                    break;
                }
                case ConflictRule.Update when updatable.Count > 0:
                {
                    using var cmd = new NpgsqlCommand($"""
                        WITH w AS ({insert} ON CONFLICT ON CONSTRAINT {Quote(into.PrimaryKey!)} DO UPDATE
                                   SET {string.Join(", ", updatable.Select(c => $"{Quote(c.Name)} = EXCLUDED.{Quote(c.Name)}"))}
                                   WHERE {string.Format(CultureInfo.InvariantCulture, changed, "EXCLUDED")}
                                   RETURNING (t.xmax = 0) AS inserted)
                        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM w
                        """, target);
                    using var r = cmd.ExecuteReaderAsync(_cancel).GetAwaiter().GetResult();
                    r.Read();
                    (result.RowsInserted, result.RowsUpdated) = (r.GetInt64(0), r.GetInt64(1));
                    break;
                }
                default:
                    result.RowsInserted = Execute(target, $"{insert} ON CONFLICT ON CONSTRAINT {Quote(into.PrimaryKey!)} DO NOTHING");
                    break;
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TableDataConflict,
                $"A row of the backup's {table.Qualified} conflicts with one in the target ({e.MessageText}{(e.Detail is { Length: > 0 } d ? ": " + d : "")}). Nothing was written to the target.", table.Qualified, e);
        }
        catch (PostgresException e) when (e.SqlState is not (PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.AdminShutdown))
        {
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.TableDataWriteFailed,
                $"The rows of the backup's {table.Qualified} could not be written into the target: {e.MessageText}{(e.Detail is { Length: > 0 } d ? " (" + d + ")" : "")}. Nothing was written to the target.", table.Qualified, e);
        }
        AdvanceSequences(into, columns);
        result.RowsSkipped = result.RowsSelected - result.RowsInserted - result.RowsUpdated;
        result.RowsConflicting = result.RowsSelected - result.RowsInserted;
        result.Duration = clock.Elapsed;
        reporter.Verbose($"{table.Qualified}: {result.RowsSelected} rows selected, {result.RowsInserted} inserted, {result.RowsUpdated} updated, {result.RowsSkipped} skipped.");
        return result;
    }

    /// <summary>
    /// The target's serial and identity sequences, moved past the largest value now in their columns: restored rows keep
    /// the backup's ids, and a sequence reset since then would hand them out again (a duplicate key on the next insert).
    /// </summary>
    private void AdvanceSequences(TableShape into, IReadOnlyList<CopiedColumn> columns)
    {
        foreach (var column in columns.Where(c => c.Shape.Type is "smallint" or "integer" or "bigint"))
        {
            using var cmd = new NpgsqlCommand($"""
                SELECT x.s::text, setval(x.s, x.m) FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS s, (SELECT max({Quote(column.Name)}) FROM {into.Rows})::bigint AS m) x
                WHERE x.s IS NOT NULL AND x.m IS NOT NULL AND x.m > coalesce(pg_sequence_last_value(x.s), 0)
                  AND (SELECT seqincrement FROM pg_sequence WHERE seqrelid = x.s) > 0
                """, target) { Parameters = { new() { Value = into.Table.Sql }, new() { Value = column.Name } } };
            using var r = cmd.ExecuteReaderAsync(_cancel).GetAwaiter().GetResult();
            if (r.Read()) reporter.Verbose($"Sequence {r.GetString(0)} of {into.Table.Qualified}.{column.Name} moved on to {r.GetInt64(1)}, the largest value restored.");
        }
    }

    private sealed record CopiedColumn(string Name, ColumnShape Shape, bool Binary);

    /// <summary>The target's writable columns that the backup's table has too, by name.</summary>
    private List<CopiedColumn> Match(TableShape from, TableShape into)
    {
        var source = from.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var copied = new List<CopiedColumn>();
        foreach (var column in into.Columns.Where(c => !c.Generated))
        {
            if (!source.TryGetValue(column.Name, out var theirs))
            {
                if (into.KeyColumns.Contains(column.Name))
                    throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.KeyColumnNotInBackup,
                        $"The backup's {into.Table.Qualified} has no column {column.Name}, which is part of the target's primary key: its rows cannot be matched with the target's. Nothing was written to the target.", into.Table.Qualified);
                reporter.Verbose($"{into.Table.Qualified}.{column.Name} is not in the backup: the target's default fills it.");
                continue;
            }
            copied.Add(new CopiedColumn(column.Name, column, theirs.TypeId == column.TypeId && column.TypeId < TableShape.FirstNormalObjectId));
        }
        var left = from.Columns.Where(c => !into.Columns.Any(t => t.Name == c.Name)).Select(c => c.Name).ToList();
        if (left.Count > 0)
            reporter.Warning($"{into.Table.Qualified} in the target has no column {string.Join(", ", left)}: the backup's values of {(left.Count == 1 ? "it are" : "them are")} not restored.");
        return copied;
    }

    /// <summary>Streams one COPY's binary output into another's input through a buffer; the source's errors are the filter's.</summary>
    private void Stream(string copyOut, string copyIn, RowFilter? filter, TableName table, CancellationToken cancel)
    {
        NpgsqlRawCopyStream reader;
        try { reader = source.BeginRawBinaryCopy(copyOut); }
        catch (PostgresException e) when (filter is not null && e.SqlState is not (PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.AdminShutdown))
        {
            throw filter.Rejected(e, copyOut, table.Qualified);
        }
        using (reader)
        {
            var writer = target.BeginRawBinaryCopy(copyIn);
            var buffer = new byte[BufferSize];
            long bytes = 0;
            var throttle = new ProgressThrottle(b => reporter.Progress(activity, $"Copying rows of {table.Qualified}: {b / 1048576.0:F1} MB"));
            try
            {
                int n;
                while (true)
                {
                    cancel.ThrowIfCancellationRequested();
                    try { n = reader.Read(buffer, 0, buffer.Length); }
                    catch (PostgresException e) when (filter is not null && e.SqlState is not (PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.AdminShutdown))
                    {
                        throw filter.Rejected(e, copyOut, table.Qualified);
                    }
                    if (n <= 0) break;
                    writer.Write(buffer, 0, n);
                    bytes += n;
                    throttle.Report(bytes);
                }
                writer.Dispose();
            }
            catch
            {
                TryCancel(writer);
                TryCancel(reader);
                throw;
            }
        }
    }

    private static void TryCancel(NpgsqlRawCopyStream copy)
    {
        try { copy.Cancel(); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or ObjectDisposedException) { }
    }

    private int Execute(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        return cmd.ExecuteNonQueryAsync(_cancel).GetAwaiter().GetResult();
    }

    private long Scalar(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(cmd.ExecuteScalarAsync(_cancel).GetAwaiter().GetResult(), CultureInfo.InvariantCulture);
    }
}
