using Npgsql;

namespace ShippyarDr.Server;

/// <summary>Reads pg_stat_archiver and the WAL waiting in pg_wal.</summary>
public static class ArchiverStatusReader
{
    public static ArchiverStatus Read(NpgsqlConnection conn, string server)
    {
        var status = new ArchiverStatus { Server = server };
        using (var cmd = new NpgsqlCommand("""
            SELECT current_setting('archive_mode'), current_setting('archive_command'), archived_count, last_archived_wal, last_archived_time,
                   failed_count, last_failed_wal, last_failed_time,
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END
            FROM pg_stat_archiver
            """, conn))
        using (var r = cmd.ExecuteReader())
        {
            r.Read();
            status.ArchiveMode = r.GetString(0);
            status.ArchiveCommand = r.GetString(1);
            status.ArchivedCount = r.GetInt64(2);
            status.LastArchivedWal = r.IsDBNull(3) ? null : r.GetString(3);
            status.LastArchivedTime = r.IsDBNull(4) ? null : Utc(r.GetDateTime(4));
            status.FailedCount = r.GetInt64(5);
            status.LastFailedWal = r.IsDBNull(6) ? null : r.GetString(6);
            status.LastFailedTime = r.IsDBNull(7) ? null : Utc(r.GetDateTime(7));
            status.CurrentWal = r.IsDBNull(8) ? null : r.GetString(8);
        }
        // pg_ls_waldir and pg_ls_archive_statusdir need superuser or pg_monitor: without them the figures stay unknown.
        using var privileged = new NpgsqlCommand("SELECT pg_has_role('pg_monitor', 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)", conn);
        if (privileged.ExecuteScalar() is true)
        {
            using var wal = new NpgsqlCommand("""
                SELECT (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir()),
                       (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready')
                """, conn);
            using var r = wal.ExecuteReader();
            r.Read();
            status.WalBytes = Convert.ToInt64(r.GetValue(0));
            status.ReadyCount = Convert.ToInt32(r.GetValue(1));
        }
        return status;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
