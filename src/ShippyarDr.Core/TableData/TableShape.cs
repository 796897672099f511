using Npgsql;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.TableData;

/// <param name="TypeId">pg_type oid: below 16384 a built-in type, the same in every database (binary COPY can carry it).</param>
/// <param name="Identity">attidentity: 'a' GENERATED ALWAYS, 'd' BY DEFAULT, '\0' none.</param>
/// <param name="Generated">attgenerated 's': a stored generated column, never written.</param>
internal sealed record ColumnShape(string Name, uint TypeId, string Type, char Identity, bool Generated);

/// <summary>A foreign key of table <paramref name="Child"/> (its columns) onto <paramref name="Parent"/> (the columns referenced).</summary>
internal sealed record ForeignKey(uint Child, uint Parent, IReadOnlyList<string> ChildColumns, IReadOnlyList<string> ParentColumns);

/// <summary>A table's columns (in attnum order), its primary key, and its foreign keys' parents, read from the catalog.</summary>
internal sealed record TableShape(TableName Table, uint Oid, IReadOnlyList<ColumnShape> Columns, string? PrimaryKey, IReadOnlyList<string> KeyColumns,
    bool Partitioned = false)
{
    public const uint FirstNormalObjectId = 16384;

    /// <summary>The table's own rows in a FROM clause: ONLY keeps inheritance children out, but a partitioned table's rows
    /// are all its partitions'.</summary>
    public string Rows => Partitioned ? Table.Sql : "ONLY " + Table.Sql;

    /// <summary>The table's shape, or null when the database has no such table.</summary>
    public static TableShape? Read(NpgsqlConnection conn, TableName table)
    {
        uint oid;
        bool partitioned;
        using (var cmd = new NpgsqlCommand("""
            SELECT c.oid, c.relkind = 'p' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
            """, conn) { Parameters = { new() { Value = table.Schema }, new() { Value = table.Name } } })
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) return null;
            (oid, partitioned) = (r.GetFieldValue<uint>(0), r.GetBoolean(1));
        }
        var columns = new List<ColumnShape>();
        using (var cmd = new NpgsqlCommand("""
            SELECT a.attname::text, a.atttypid, format_type(a.atttypid, a.atttypmod), a.attidentity::text, a.attgenerated::text
            FROM pg_attribute a WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, conn) { Parameters = { new() { Value = (long)oid } } })
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
                columns.Add(new ColumnShape(r.GetString(0), r.GetFieldValue<uint>(1), r.GetString(2), FirstChar(r.GetString(3)), FirstChar(r.GetString(4)) == 's'));
        }
        string? key = null;
        var keyColumns = new List<string>();
        using (var cmd = new NpgsqlCommand("""
            SELECT c.conname::text, ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)
            FROM pg_constraint c WHERE c.conrelid = $1::int8::oid AND c.contype = 'p'
            """, conn) { Parameters = { new() { Value = (long)oid } } })
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read())
            {
                key = r.GetString(0);
                keyColumns.AddRange(r.GetFieldValue<string[]>(1));
            }
        }
        return new TableShape(table, oid, columns, key, keyColumns, partitioned);
    }

    /// <summary>The foreign keys between <paramref name="tables"/> (a table's keys to itself left out), as the catalog has them.</summary>
    public static IReadOnlyList<ForeignKey> ForeignKeysAmong(NpgsqlConnection conn, IReadOnlyList<TableShape> tables)
    {
        var keys = new List<ForeignKey>();
        using var cmd = new NpgsqlCommand("""
            SELECT c.conrelid, c.confrelid,
                   ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord),
                   ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
            FROM pg_constraint c
            WHERE c.contype = 'f' AND c.conrelid::int8 = ANY($1) AND c.confrelid::int8 = ANY($1) AND c.conrelid <> c.confrelid AND c.conparentid = 0
            ORDER BY c.conname
            """, conn) { Parameters = { new() { Value = tables.Select(t => (long)t.Oid).ToArray() } } };
        using var r = cmd.ExecuteReader();
        while (r.Read()) keys.Add(new ForeignKey(r.GetFieldValue<uint>(0), r.GetFieldValue<uint>(1), r.GetFieldValue<string[]>(2), r.GetFieldValue<string[]>(3)));
        return keys;
    }

    /// <summary>The tables in an order that puts every table after the tables its foreign keys reference (cycles: as given).</summary>
    public static IReadOnlyList<TableShape> ParentsFirst(IReadOnlyList<TableShape> tables, IReadOnlyList<ForeignKey> keys)
    {
        var ordered = new List<TableShape>();
        var placed = new HashSet<uint>();
        while (ordered.Count < tables.Count)
        {
            // The first table whose parents are all placed; in a cycle, the first one left.
            var next = tables.FirstOrDefault(t => !placed.Contains(t.Oid) && keys.Where(k => k.Child == t.Oid).All(k => placed.Contains(k.Parent)))
                       ?? tables.First(t => !placed.Contains(t.Oid));
            ordered.Add(next);
            placed.Add(next.Oid);
        }
        return ordered;
    }

    private static char FirstChar(string s) => s.Length > 0 ? s[0] : '\0';
}

/// <summary>Errors about the target's tables, raised before anything is restored or written.</summary>
internal static class TargetTables
{
    public static IReadOnlyList<TableShape> Inspect(NpgsqlConnection target, IReadOnlyList<TableName> tables, ConflictRule rule, string targetDatabase, string server)
    {
        var shapes = new List<TableShape>();
        foreach (var table in tables)
        {
            var shape = TableShape.Read(target, table) ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.TargetTableNotFound,
                $"Database {targetDatabase} on {server} has no table {table.Qualified} to restore rows into. Nothing was restored.", table.Qualified);
            if (shape.PrimaryKey is null && rule != ConflictRule.Error)
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.TargetTableHasNoPrimaryKey,
                    $"Table {table.Qualified} in {targetDatabase} on {server} has no primary key, so a restored row cannot be matched with an existing one " +
                    $"to {(rule == ConflictRule.Update ? "update it" : "skip it")}. Only the rule that fails on a conflict can restore into it (every selected row is inserted). Nothing was restored.",
                    table.Qualified);
            shapes.Add(shape);
        }
        return shapes;
    }
}
