using System.Text;
using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Server;

/// <summary>Named restore points (pg_create_restore_point), the targets a DBA sets before a risky change.</summary>
public static class RestorePoints
{
    /// <summary>PostgreSQL's MAXFNAMELEN - 1: a longer name is an error on the server.</summary>
    public const int MaxNameBytes = 63;

    public static RestorePoint Create(PgConnectionInfo connection, string name, CancellationToken cancel = default)
    {
        if (string.IsNullOrWhiteSpace(name) || Encoding.UTF8.GetByteCount(name) > MaxNameBytes || name.Contains('\0'))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRestorePointName,
                $"A restore point needs a name of 1 to {MaxNameBytes} bytes ('{name}' is not one).", name);
        using var conn = PgSession.Open(connection, "postgres", cancel);
        try
        {
            using var cmd = new NpgsqlCommand("""
                WITH p AS (SELECT pg_create_restore_point($1) AS lsn)
                SELECT p.lsn::text, pg_walfile_name(p.lsn), (SELECT timeline_id FROM pg_control_checkpoint()), now(),
                       current_setting('archive_mode') <> 'off'
                FROM p
                """, conn) { Parameters = { new() { Value = name } } };
            using var r = cmd.ExecuteReader();
            r.Read();
            return new RestorePoint
            {
                Name = name, Server = connection.DisplayName, Lsn = r.GetString(0), WalFile = r.GetString(1), Timeline = r.GetInt32(2),
                Time = new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(3), DateTimeKind.Utc)), Archiving = r.GetBoolean(4),
            };
        }
        catch (PostgresException e)
        {
            // Not a superuser without the grant, wal_level minimal, or a server in recovery.
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RestorePointFailed,
                $"PostgreSQL at {connection.DisplayName} did not create restore point '{name}': {e.MessageText}", name, e);
        }
    }
}
