using Npgsql;

namespace ShippyarDr.Connection;

/// <summary>What a backup records about the server and the database at the start.</summary>
public sealed record ServerFacts(string Version, int VersionNum, string? SystemIdentifier, long DatabaseSize,
    string Owner, string Encoding, string Collation, string CType, bool IsSuperuser)
{
    public int MajorVersion => VersionNum / 10000;

    public static ServerFacts Read(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT current_setting('server_version'), current_setting('server_version_num')::int,
                   pg_database_size(d.oid), pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding),
                   d.datcollate, d.datctype, current_setting('is_superuser') = 'on'
            FROM pg_database d WHERE d.datname = current_database()
            """, conn);
        using var r = cmd.ExecuteReader();
        r.Read();
        var facts = new ServerFacts(r.GetString(0), r.GetInt32(1), null, r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetBoolean(7));
        r.Close();
        return facts with { SystemIdentifier = TrySystemIdentifier(conn) };
    }

    /// <summary>pg_control_system() needs superuser or an explicit grant; a least-privilege role may lack it.</summary>
    private static string? TrySystemIdentifier(NpgsqlConnection conn)
    {
        using var check = new NpgsqlCommand("SELECT has_function_privilege('pg_control_system()', 'EXECUTE')", conn);
        if (check.ExecuteScalar() is not true) return null;
        using var cmd = new NpgsqlCommand("SELECT system_identifier::text FROM pg_control_system()", conn);
        return cmd.ExecuteScalar() as string;
    }
}
