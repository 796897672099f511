using Npgsql;
using static ShippyarDr.Restore.DatabaseInspector;

namespace ShippyarDr.Restore;

/// <summary>CREATE/DROP/RENAME of whole databases, run from a connection to the maintenance database.</summary>
internal static class DatabaseAdmin
{
    /// <summary>An empty database shaped like the backed-up one: template0, same encoding and locale, same owner if that role exists here.</summary>
    public static void CreateLike(NpgsqlConnection conn, string name, DatabaseUnit like)
    {
        var sql = $"CREATE DATABASE {Quote(name)} TEMPLATE template0";
        if (like.Encoding is not null) sql += $" ENCODING {Literal(like.Encoding)}";
        if (like.Collation is not null) sql += $" LC_COLLATE {Literal(like.Collation)}";
        if (like.CType is not null) sql += $" LC_CTYPE {Literal(like.CType)}";
        if (like.Owner is not null && CanOwn(conn, like.Owner)) sql += $" OWNER {Quote(like.Owner)}";
        Execute(conn, sql);
    }

    public static void Drop(NpgsqlConnection conn, string name)
        => Execute(conn, $"DROP DATABASE IF EXISTS {Quote(name)} WITH (FORCE)");

    /// <summary>Drops a database nobody is connected to; fails (SQLSTATE 55006) rather than end someone's session.</summary>
    public static void DropUnused(NpgsqlConnection conn, string name)
    {
        // A template cannot be dropped: a copy of one (an old restore over template1) is unmarked first.
        if (DatabaseInspector.IsTemplate(conn, name)) Execute(conn, $"ALTER DATABASE {Quote(name)} IS_TEMPLATE false");
        Execute(conn, $"DROP DATABASE {Quote(name)}");
    }

    /// <summary>Sets (or with null removes) the database's comment, as \l+ shows it.</summary>
    public static void Comment(NpgsqlConnection conn, string name, string? note)
        => Execute(conn, $"COMMENT ON DATABASE {Quote(name)} IS {(note is null ? "NULL" : Literal(note))}");

    public static void MarkTemplate(NpgsqlConnection conn, string name, bool isTemplate)
        => Execute(conn, $"ALTER DATABASE {Quote(name)} IS_TEMPLATE {(isTemplate ? "true" : "false")}");

    public static void Rename(NpgsqlConnection conn, string from, string to)
        => Execute(conn, $"ALTER DATABASE {Quote(from)} RENAME TO {Quote(to)}");

    /// <summary>Ends every other session on the database; returns how many were ended.</summary>
    public static int TerminateSessions(NpgsqlConnection conn, string name)
    {
        using var cmd = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", conn)
            { Parameters = { new() { Value = name } } };
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    /// <summary>
    /// Whether the role exists and this session may hand a database to it (CREATE DATABASE ... OWNER needs membership):
    /// a CREATEDB login that is no superuser keeps the database itself.
    /// </summary>
    private static bool CanOwn(NpgsqlConnection conn, string role)
    {
        using var cmd = new NpgsqlCommand(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN pg_has_role(current_user, $1, 'MEMBER') ELSE false END", conn)
            { Parameters = { new() { Value = role } } };
        return cmd.ExecuteScalar() is true;
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    private static void Execute(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }
}
