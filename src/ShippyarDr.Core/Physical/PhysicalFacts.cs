using Npgsql;

namespace ShippyarDr.Physical;

/// <summary>What a base backup records about the cluster beyond ServerFacts, read over SQL before it starts.</summary>
internal sealed record PhysicalFacts(long WalSegmentSize, bool DataChecksums, string? BootstrapSuperuser, IReadOnlyDictionary<uint, string> TablespaceNames)
{
    public static PhysicalFacts Read(NpgsqlConnection conn)
    {
        long segmentSize;
        bool checksums;
        string? superuser;
        using (var cmd = new NpgsqlCommand("""
            SELECT (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'),
                   current_setting('data_checksums') = 'on',
                   (SELECT rolname FROM pg_roles WHERE oid = 10)
            """, conn))
        using (var r = cmd.ExecuteReader())
        {
            r.Read();
            (segmentSize, checksums, superuser) = (r.GetInt64(0), r.GetBoolean(1), r.IsDBNull(2) ? null : r.GetString(2));
        }
        var names = new Dictionary<uint, string>();
        using (var cmd = new NpgsqlCommand("SELECT oid, spcname FROM pg_tablespace", conn))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) names[r.GetFieldValue<uint>(0)] = r.GetString(1);
        return new PhysicalFacts(segmentSize, checksums, superuser, names);
    }

    /// <summary>The server's clock (a recovery target is read by it, so the backup's times are too).</summary>
    public static DateTimeOffset? ServerNow(NpgsqlConnection conn)
    {
        try
        {
            using var cmd = new NpgsqlCommand("SELECT clock_timestamp()", conn);
            return cmd.ExecuteScalar() is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return null;
        }
    }
}
