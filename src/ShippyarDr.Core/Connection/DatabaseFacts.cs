using Npgsql;

namespace ShippyarDr.Connection;

/// <summary>A database of a cluster and the properties a restore must recreate.</summary>
public sealed record DatabaseFacts(string Name, string Owner, string Encoding, string Collation, string CType, long Size,
    bool IsTemplate = false, bool AllowsConnections = true)
{
    /// <summary>
    /// Every database of the cluster but template0 and template1 (PostgreSQL's own, which every new cluster has and no
    /// restore may replace): a database a DBA marked as a template (a PostGIS template…) is data like any other.
    /// One that accepts no connections is listed too, so the backup can say it left it out.
    /// </summary>
    public static IReadOnlyList<DatabaseFacts> ListForCluster(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT d.datname, pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
                   CASE WHEN d.datallowconn THEN pg_database_size(d.oid) ELSE 0 END, d.datistemplate, d.datallowconn
            FROM pg_database d WHERE d.datname NOT IN ('template0', 'template1') ORDER BY d.datname
            """, conn);
        using var r = cmd.ExecuteReader();
        var list = new List<DatabaseFacts>();
        while (r.Read())
            list.Add(new DatabaseFacts(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetBoolean(6), r.GetBoolean(7)));
        return list;
    }
}
