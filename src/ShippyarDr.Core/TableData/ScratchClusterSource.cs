using Npgsql;
using ShippyarDr.Authentication;
using ShippyarDr.Cluster;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;
using ShippyarDr.Physical;
using ShippyarDr.Repository;
using ShippyarDr.Verification;

namespace ShippyarDr.TableData;

/// <summary>A point to recover the scratch copy to, and the restore_command that fetches the WAL archive's segments.</summary>
internal sealed record ScratchRecovery(Recovery.RecoveryTarget Target, Recovery.RestoreCommandLine RestoreCommand);

/// <summary>
/// A base backup as the source of rows: restored into a scratch data directory (as a verification's Restore level
/// does: <see cref="ScratchClusterLeftovers"/> marks it as this process's, <see cref="ScratchClusterConfiguration"/>
/// keeps it away from production's archive and network), started until consistent on a private socket, and connected
/// to the database that holds the tables. With a <see cref="ScratchRecovery"/> it replays the WAL archive to that point
/// first (recovery.signal, restore_command, promote at the target; archive_mode stays off). Disposing stops the server and removes the directory.
/// </summary>
internal sealed class ScratchClusterSource : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(30);
    private readonly string _root;
    private readonly IDisposable _hold;
    private readonly IOperationReporter _reporter;
    private LocalServer? _server;

    private ScratchClusterSource(string root, IDisposable hold, IOperationReporter reporter)
    {
        _root = root;
        _hold = hold;
        _reporter = reporter;
    }

    public NpgsqlConnection Connection { get; private set; } = null!;

    /// <summary>The ordinary tables of the source database.</summary>
    public IReadOnlyList<TableName> Tables { get; private set; } = [];

    public static ScratchClusterSource Start(BackupInfo backup, IBackupRepository repository, BackupKeys keys, string database, ScratchRecovery? recovery,
        IOperationReporter reporter, string activity, CancellationToken cancel)
    {
        var account = ServerAccount.Default;
        ScratchClusterLeftovers.RemoveDead(reporter);
        var (root, hold) = ScratchClusterLeftovers.Create(backup.Id);
        var source = new ScratchClusterSource(root, hold, reporter);
        try
        {
            var data = Path.Combine(root, "data");
            var socket = Path.Combine(root, "socket");
            reporter.Verbose($"Restoring base backup {backup.Id} into the scratch data directory {data}.");
            reporter.Progress(activity, $"Restoring base backup {backup.Id} into the scratch data directory {data}");
            var places = backup.Physical!.Tablespaces.ToDictionary(t => t.Oid, t => Path.Combine(root, "tablespaces", t.Oid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            new BaseBackupRestore(reporter).Extract(backup, new BaseBackupRestoreRequest
            {
                Backup = backup, DataDirectory = data, TablespaceLocations = places, Keys = keys, Owner = account,
            }, repository, cancel);
            ScratchClusterConfiguration.Write(data, backup.Id);
            if (recovery is not null) Recovery.RecoveryConfiguration.Write(data, recovery.RestoreCommand.Build(), recovery.Target, DateTimeOffset.UtcNow);
            Directory.CreateDirectory(socket);
            account.GiveOwnership(root);
            reporter.Progress(activity, "Starting the scratch cluster (replaying the backup's WAL)");
            source._server = LocalServer.Start(data, new LocalServerOptions
            {
                Port = FreePort.OnLoopback(), SocketDirectory = socket, ListenAddresses = "127.0.0.1", Account = account,
                LogFile = Path.Combine(root, "server.log"), StartTimeout = StartTimeout,
            }, cancel);
            if (recovery is not null)
            {
                reporter.Progress(activity, $"Replaying the WAL archive to {recovery.Target}");
                source._server.WaitForRecoveryEnd(StartTimeout, cancel);
                reporter.Verbose($"The scratch copy of base backup {backup.Id} recovered to {Recovery.RecoveryLog.Read(source._server.LogFile)}.");
            }
            var connection = source._server.ConnectionAs(backup.Physical.BootstrapSuperuser ?? "postgres");
            try { source.Connection = PgSession.Open(connection, database, cancel); }
            catch (ShippyarException e) when (e.ErrorId == ErrorIds.DatabaseNotFound)
            {
                throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.DatabaseNotInBackup,
                    $"Base backup {backup.Id} holds no database '{database}'.", database, e);
            }
            source.Tables = ReadTables(source.Connection);
            reporter.Verbose($"Base backup {backup.Id} runs as a scratch cluster in {data}; reading {database} there.");
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>The ordinary and partitioned tables of a database, system schemas left out.</summary>
    internal static List<TableName> ReadTables(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("""
            SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
            """, conn);
        using var r = cmd.ExecuteReader();
        var tables = new List<TableName>();
        while (r.Read()) tables.Add(new TableName(r.GetString(0), r.GetString(1)));
        return tables;
    }

    public void Dispose()
    {
        Connection?.Dispose();
        try { _server?.Stop(); }
        catch (ShippyarException e) { _reporter.Warning($"Could not stop the scratch cluster in {_root}: {e.Message}"); }
        try { Directory.Delete(_root, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _reporter.Warning($"Could not remove the scratch cluster {_root}: {e.Message}"); }
        _hold.Dispose();
    }
}
