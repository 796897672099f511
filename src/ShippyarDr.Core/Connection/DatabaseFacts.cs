using Npgsql;

namespace ShippyarDr.Connection;

/// <summary>A database of a cluster and the properties a restore must recreate.</summary>
public sealed record DatabaseFacts(string Name, string Owner, string Encoding, string Collation, string CType, long Size)
{
    /// <summary>Every database a cluster backup holds: those that accept connections, templates excluded (template1 even when unmarked: no restore may replace it).</summary>
    public static IReadOnlyList<DatabaseFacts> ListConnectable(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT d.datname, pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, pg_database_size(d.oid)
            FROM pg_database d WHERE d.datallowconn AND NOT d.datistemplate AND d.datname NOT IN ('template0', 'template1') ORDER BY d.datname
            """, conn);
        using var r = cmd.ExecuteReader();
        var list = new List<DatabaseFacts>();
        while (r.Read()) list.Add(new DatabaseFacts(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5)));
        return list;
    }
}
