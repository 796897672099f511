using Npgsql;
using ShippyarDr.Configuration;
using ShippyarDr.Connection;
using ShippyarDr.Wal;

namespace ShippyarDr.Server;

/// <summary>The data directory of a server, when it is on this host: what runs the server's commands (archive_command) and as whom.</summary>
public static class LocalDataDirectory
{
    /// <summary>
    /// The OS account that owns the server's data directory (and so runs the server) when that directory is on this
    /// host; null when it is not here, or when the server does not say where it is (data_directory needs a superuser or
    /// pg_read_all_settings). A directory of the same path that holds another cluster (by system identifier) is not it.
    /// </summary>
    public static string? Owner(PgConnectionInfo connection, CancellationToken cancel = default) => Find(connection, cancel)?.Owner;

    /// <summary>The data directory and its owner when it is on this host (see <see cref="Owner"/>); null otherwise.</summary>
    public static (string Directory, string Owner)? Find(PgConnectionInfo connection, CancellationToken cancel = default)
    {
        if (!OperatingSystem.IsLinux()) return null;
        string directory, systemIdentifier;
        using (var conn = PgSession.Open(connection, "postgres", cancel))
        {
            try
            {
                using var cmd = new NpgsqlCommand("SELECT current_setting('data_directory'), (SELECT system_identifier::text FROM pg_control_system())", conn);
                using var r = cmd.ExecuteReader();
                r.Read();
                (directory, systemIdentifier) = (r.GetString(0), r.GetString(1));
            }
            catch (PostgresException) { return null; }
        }
        if (!Directory.Exists(directory) || FileOwnership.Stat(directory) is not { } status) return null;
        try
        {
            if (ClusterIdentity.FromDataDirectory(directory).SystemIdentifier != systemIdentifier) return null;
        }
        catch (Diagnostics.ShippyarException)
        {
            // Not readable from here (another account's 0700 directory): the path and its owner are still the best evidence.
        }
        return (directory, FileOwnership.UserName(status.Uid));
    }
}
