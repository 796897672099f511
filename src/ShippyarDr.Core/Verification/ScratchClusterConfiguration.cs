using System.Globalization;
using System.Text;
using ShippyarDr.Cluster;

namespace ShippyarDr.Verification;

/// <summary>
/// The configuration a scratch copy of a cluster runs with, in place of the backup's own (which stays in base.tar):
/// the production files may name certificates, libraries, include files and archive commands of another machine, and
/// a scratch copy must never archive into production's WAL archive (archive_mode = off) nor fetch from it. Only the
/// server account can reach it: no TCP logins at all, trust over a socket in a private directory. Settings a WAL replay
/// must not go below are taken from pg_control (what the primary ran with).
/// </summary>
internal static class ScratchClusterConfiguration
{
    public static void Write(string dataDirectory, string backupId)
    {
        var required = ControlData.Read(dataDirectory).RequiredSettings();
        long AtLeast(string name, long value) => Math.Max(value, required.GetValueOrDefault(name));
        var settings = new (string Name, string Value)[]
        {
            ("archive_mode", "off"), ("archive_command", "''"), ("archive_library", "''"), ("restore_command", "''"),
            ("primary_conninfo", "''"), ("primary_slot_name", "''"), ("shared_preload_libraries", "''"),
            ("ssl", "off"), ("fsync", "off"), ("synchronous_commit", "off"), ("full_page_writes", "on"),
            ("shared_buffers", "'128MB'"), ("huge_pages", "off"), ("jit", "off"), ("autovacuum", "off"),
            ("logging_collector", "off"), ("log_destination", "'stderr'"),
            // The Recovery level reads the point reached from the log's LOG lines: in English, and not filtered out.
            ("lc_messages", "'C'"), ("log_min_messages", "'warning'"), ("unix_socket_permissions", "0700"),
            ("max_connections", Number(AtLeast("max_connections", 20))),
            ("max_worker_processes", Number(AtLeast("max_worker_processes", 8))),
            ("max_wal_senders", Number(AtLeast("max_wal_senders", 0))),
            ("max_prepared_transactions", Number(AtLeast("max_prepared_transactions", 0))),
            ("max_locks_per_transaction", Number(AtLeast("max_locks_per_transaction", 64))),
        };
        var conf = new StringBuilder($"# ShippyarDr scratch restore of backup {backupId}; the backup's own configuration is in its base.tar.\n");
        foreach (var (name, value) in settings) conf.Append(name).Append(" = ").Append(value).Append('\n');
        Replace(dataDirectory, "postgresql.conf", conf.ToString());
        Replace(dataDirectory, ServerSettings.AutoConfName, "# ShippyarDr scratch restore: nothing from the backup's ALTER SYSTEM.\n");
        Replace(dataDirectory, "pg_hba.conf", "local all all trust\n");
        Replace(dataDirectory, "pg_ident.conf", "");
        foreach (var signal in new[] { "standby.signal", "recovery.signal" }) File.Delete(Path.Combine(dataDirectory, signal));
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Replace(string dataDirectory, string name, string content)
    {
        var path = Path.Combine(dataDirectory, name);
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        file.Write(Encoding.UTF8.GetBytes(content));
    }
}
