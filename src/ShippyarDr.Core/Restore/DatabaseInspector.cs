using Npgsql;

namespace ShippyarDr.Restore;

/// <summary>Facts read from a restored database to compare with what its backup promised.</summary>
internal static class DatabaseInspector
{
    /// <summary>The table's own rows (ONLY), as pg_dump copied them: an inheritance parent's count leaves out its children's.</summary>
    public static long CountRows(NpgsqlConnection conn, string schema, string table)
    {
        using var cmd = new NpgsqlCommand($"SELECT count(*) FROM ONLY {Quote(schema)}.{Quote(table)}", conn);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>max(created_at) of the table's own rows when it has a created_at column of a date/time type; null otherwise.</summary>
    public static DateTimeOffset? LatestCreatedAt(NpgsqlConnection conn, string schema, string table)
    {
        using var probe = new NpgsqlCommand("""
            SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND a.attname = 'created_at' AND NOT a.attisdropped
            """, conn) { Parameters = { new() { Value = schema }, new() { Value = table } } };
        var type = probe.ExecuteScalar() as string;
        if (type is null || !(type.StartsWith("timestamp", StringComparison.Ordinal) || type == "date")) return null;
        using var cmd = new NpgsqlCommand($"SELECT max(created_at)::timestamptz FROM ONLY {Quote(schema)}.{Quote(table)}", conn);
        return cmd.ExecuteScalar() is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }

    /// <summary>
    /// Every foreign key as declared, with the number of rows that break it (MATCH SIMPLE: rows with a NULL key column
    /// are exempt). The clones PostgreSQL keeps per partition (conparentid set) are the same key and are left out; the
    /// key is checked as PostgreSQL enforces it: on the table's own rows (ONLY) unless it is partitioned.
    /// </summary>
    public static IReadOnlyList<(string Name, long Violations)> ForeignKeyViolations(NpgsqlConnection conn)
    {
        var keys = new List<(string Name, string Child, string Parent, string[] ChildCols, string[] ParentCols)>();
        using (var cmd = new NpgsqlCommand("""
            SELECT n.nspname || '.' || cl.relname || ' ' || c.conname,
                   CASE WHEN cl.relkind = 'p' THEN '' ELSE 'ONLY ' END || c.conrelid::regclass::text,
                   CASE WHEN pk.relkind = 'p' THEN '' ELSE 'ONLY ' END || c.confrelid::regclass::text,
                   ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord),
                   ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
            FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                 JOIN pg_class pk ON pk.oid = c.confrelid
            WHERE c.contype = 'f' AND c.conparentid = 0 ORDER BY 1
            """, conn))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                keys.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<string[]>(3), r.GetFieldValue<string[]>(4)));

        var result = new List<(string, long)>();
        foreach (var k in keys)
        {
            var notNull = string.Join(" AND ", k.ChildCols.Select(c => $"ch.{c} IS NOT NULL"));
            var join = string.Join(" AND ", k.ChildCols.Zip(k.ParentCols, (c, p) => $"p.{p} = ch.{c}"));
            using var check = new NpgsqlCommand(
                $"SELECT count(*) FROM {k.Child} ch WHERE {notNull} AND NOT EXISTS (SELECT 1 FROM {k.Parent} p WHERE {join})", conn);
            result.Add((k.Name, (long)check.ExecuteScalar()!));
        }
        return result;
    }

    public static bool DatabaseExists(NpgsqlConnection conn, string name)
    {
        using var cmd = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn) { Parameters = { new() { Value = name } } };
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>Whether the database is marked as a template (datistemplate): it cannot be dropped as it is.</summary>
    public static bool IsTemplate(NpgsqlConnection conn, string name)
    {
        using var cmd = new NpgsqlCommand("SELECT datistemplate FROM pg_database WHERE datname = $1", conn) { Parameters = { new() { Value = name } } };
        return cmd.ExecuteScalar() is true;
    }

    /// <summary>The database's comment (COMMENT ON DATABASE), null when it has none.</summary>
    public static string? CommentOf(NpgsqlConnection conn, string name)
    {
        using var cmd = new NpgsqlCommand("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", conn) { Parameters = { new() { Value = name } } };
        return cmd.ExecuteScalar() as string;
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
