using System.Diagnostics;
using Npgsql;
using ShippyarDr.Backup;
using ShippyarDr.Cluster;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Verification;

/// <summary>
/// The Restore level of a base backup: restores it into a scratch data directory of its own (tablespaces beside it,
/// tablespace_map pointing there), owned by the server's OS account, starts a server there on a free loopback port with
/// the scratch configuration (archive_mode off, no restore_command: the backup's own WAL brings it to consistency),
/// waits until it is consistent and takes connections, runs pg_amcheck on every database that accepts connections and
/// the DBA's SQL checks, then stops it and removes the directory, whatever happened.
/// </summary>
internal sealed class ScratchClusterCheck(BackupInfo backup, IBackupRepository repository, VerificationRequest request, IOperationReporter reporter)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(30);

    /// <returns>How long the restore and the start to consistency took (the measured recovery time), or null when it did not get that far.</returns>
    public TimeSpan? Run(VerificationResult result, CheckRecorder checks, string activity, CancellationToken cancel)
    {
        var account = ServerAccount.Default;
        Leftovers.ScratchClusterLeftovers.RemoveDead(reporter);
        var (root, hold) = Leftovers.ScratchClusterLeftovers.Create(backup.Id);
        using var _ = hold;
        var data = Path.Combine(root, "data");
        var socket = Path.Combine(root, "socket");
        var superuser = backup.Physical!.BootstrapSuperuser ?? "postgres";
        LocalServer? server = null;
        TimeSpan? took = null;
        result.ScratchDataDirectory = data;
        var replay = request.Level == VerificationLevel.Recovery ? new ArchiveReplay(backup, repository, request, reporter) : null;
        try
        {
            replay?.CheckArchive(checks);
            var clock = Stopwatch.StartNew();
            reporter.Progress(activity, $"Restoring into {data}");
            var restored = checks.Run("Restore into scratch data directory", () =>
            {
                var places = backup.Physical.Tablespaces.ToDictionary(t => t.Oid, t => Path.Combine(root, "tablespaces", t.Oid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var restore = new BaseBackupRestore(reporter).Extract(backup, new BaseBackupRestoreRequest
                {
                    Backup = backup, DataDirectory = data, TablespaceLocations = places, Keys = request.Keys, Owner = account,
                }, repository, cancel);
                return (true, $"{restore.Files} files, {restore.Bytes / 1048576.0:F1} MB into {data} ({backup.Physical.Tablespaces.Count} tablespace(s) beside it) in {restore.Duration.TotalSeconds:F1} s");
            });
            if (!restored) return null;
            ScratchClusterConfiguration.Write(data, backup.Id);
            replay?.Configure(data, Path.Combine(root, "wal-spool"));
            Directory.CreateDirectory(socket);
            account.GiveOwnership(root);
            reporter.Progress(activity, "Starting the scratch cluster (replaying the backup's WAL)");
            var port = FreePort.OnLoopback();
            var started = checks.Run("Scratch cluster started", () =>
            {
                server = LocalServer.Start(data, new LocalServerOptions
                {
                    Port = port, SocketDirectory = socket, ListenAddresses = "127.0.0.1", Account = account,
                    LogFile = Path.Combine(root, "server.log"), StartTimeout = StartTimeout,
                }, cancel);
                return (true, $"on 127.0.0.1:{port}, consistent and accepting connections {clock.Elapsed.TotalSeconds:F1} s after the restore began (WAL from {backup.Physical.StartLsn}, consistent at {backup.Physical.StopLsn})");
            });
            if (!started || server is null) return null;
            took = clock.Elapsed;
            result.Server = $"127.0.0.1:{port} (scratch cluster)";
            if (replay is not null)
            {
                reporter.Progress(activity, "Replaying the WAL archive to its end");
                replay.Check(server, checks, StartTimeout, cancel);
            }
            var connection = server.ConnectionAs(superuser);
            foreach (var database in Databases(connection, checks, cancel))
            {
                reporter.Progress(activity, $"pg_amcheck {database}");
                checks.Run($"pg_amcheck {database}", () => AmCheck(connection, database, cancel));
            }
            foreach (var sqlCheck in request.Checks) RunSqlCheck(connection, sqlCheck, checks, cancel);
            return took;
        }
        finally
        {
            var problem = Remove(server, root, replay);
            checks.Add("Scratch cluster removed", problem is null, problem ?? $"stopped, and {root} removed");
        }
    }

    private static IReadOnlyList<string> Databases(PgConnectionInfo connection, CheckRecorder checks, CancellationToken cancel)
    {
        var names = new List<string>();
        checks.Run("Databases", () =>
        {
            using var conn = PgSession.Open(connection, "postgres", cancel);
            using var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname", conn);
            using var r = cmd.ExecuteReader();
            while (r.Read()) names.Add(r.GetString(0));
            return (names.Count > 0, $"{names.Count} accept connections: {string.Join(", ", names)}");
        });
        return names;
    }

    /// <summary>pg_amcheck on one database: heap tables and B-tree indexes (the amcheck extension installed in the scratch copy as needed).</summary>
    private static (bool, string) AmCheck(PgConnectionInfo connection, string database, CancellationToken cancel)
    {
        var tool = PgToolLocator.Find("pg_amcheck");
        using var process = PgProcess.Start(tool, new[] { "--install-missing", "--no-password" }, connection.ToEnvironment(database), redirectOutput: true, cancel: cancel);
        var output = new StreamReader(process.StandardOutput).ReadToEnd();
        var code = process.WaitForExit(cancel);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return code switch
        {
            0 => (true, "heap and B-tree indexes: no corruption found"),
            2 => (false, $"corruption found: {string.Join(" | ", lines.Take(5))}{(lines.Length > 5 ? $" (and {lines.Length - 5} more lines)" : "")}"),
            _ => (false, $"pg_amcheck exited with {code}: {PgProcess.Summarize(process.Stderr)}"),
        };
    }

    private static void RunSqlCheck(PgConnectionInfo connection, SqlCheck check, CheckRecorder checks, CancellationToken cancel)
    {
        checks.Run($"Check {check.Name}", () =>
        {
            using var conn = PgSession.Open(connection, check.Database ?? "postgres", cancel);
            using var cmd = new NpgsqlCommand(check.Sql, conn);
            var value = cmd.ExecuteScalar();
            var text = value is null or DBNull ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            return (text == check.Expected, $"got {text ?? "NULL"}, expected {check.Expected ?? "NULL"}");
        });
    }

    /// <summary>Stops the scratch server (and the WAL prefetcher it may have started) and removes its directory; null when both worked.</summary>
    private static string? Remove(LocalServer? server, string root, ArchiveReplay? replay)
    {
        var problems = new List<string>();
        try { server?.Stop(); }
        catch (ShippyarException e) { problems.Add(e.Message); }
        replay?.StopPrefetch();
        try { Directory.Delete(root, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add($"{root} stays: {e.Message}"); }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
