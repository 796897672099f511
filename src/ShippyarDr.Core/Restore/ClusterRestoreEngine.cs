using System.Diagnostics;
using ShippyarDr.Authentication;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Restore;

/// <summary>
/// Restores a cluster backup into a server: roles and tablespaces first (the globals script through psql), then
/// every database through RestoreEngine (staging, checks, safe swap). An existing database is replaced only when
/// asked, after its safety backup; an empty postgres database (every new cluster has one) is simply replaced, a
/// non-empty one only when that is asked for explicitly. template0 and template1 are never restored over.
/// </summary>
public sealed class ClusterRestoreEngine
{
    private readonly IOperationReporter _reporter;

    public ClusterRestoreEngine(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public ClusterRestoreResult Run(ClusterRestoreRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        var backup = BackupAuthenticator.Require(repository, request.Backup, request.Keys, _reporter);
        if (!backup.IsCluster)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.NotAClusterBackup,
                $"Backup {backup.Id} holds one database ({backup.Database}); restore it as a single database.", backup.Id);
        var units = DatabaseUnit.All(backup).Where(u => request.Databases.Count == 0 || request.Databases.Contains(u.Database)).ToList();
        foreach (var missing in request.Databases.Where(d => units.All(u => u.Database != d)))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.DatabaseNotInBackup, $"Backup {backup.Id} holds no database '{missing}'.", missing);

        var result = new ClusterRestoreResult { BackupId = backup.Id, Server = request.Connection.DisplayName, StartTime = DateTimeOffset.UtcNow };
        var clock = Stopwatch.StartNew();
        var activity = $"Restoring cluster backup {backup.Id} into {request.Connection.DisplayName}";

        // Refuse before changing anything: every database that would be replaced must be allowed to be.
        var server = request.Connection.DisplayName;
        foreach (var unit in units)
            if (SystemDatabases.RefuseByName(unit.Database, server) is { } refused) throw refused;
        var existing = units.Where(u => RestoreEngine.DatabaseExists(request.Connection, u.Database, cancel)).ToList();
        // Every new cluster has an empty postgres database: replacing it is what a cluster restore is for.
        var emptyPostgres = existing.Any(u => u.Database == SystemDatabases.Postgres) && IsEmpty(request.Connection, SystemDatabases.Postgres, cancel);
        var blocking = existing.Where(u => !request.ReplaceExisting && !(u.Database == SystemDatabases.Postgres && emptyPostgres)).ToList();
        if (blocking.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TargetExists,
                $"{string.Join(", ", blocking.Select(u => u.Database))} already exist on {server}. Confirm their replacement to go on; each gets a safety backup first.", server);
        var replacePostgres = request.ReplacePostgresDatabase || emptyPostgres;
        if (existing.Any(u => u.Database == SystemDatabases.Postgres)
            && SystemDatabases.RefuseReplacing(SystemDatabases.Postgres, server, replacePostgres, isTemplate: false) is { } refusal)
            throw refusal;

        if (!request.SkipGlobals)
        {
            _reporter.Progress(activity, "Roles and tablespaces");
            result.GlobalsNotices = RestoreGlobals(backup, repository, request, cancel);
            result.GlobalsRestored = true;
        }
        var engine = new RestoreEngine(_reporter);
        foreach (var unit in units)
        {
            cancel.ThrowIfCancellationRequested();
            result.Databases.Add(engine.RunAuthenticated(backup, new RestoreRequest
            {
                Backup = backup, SourceDatabase = unit.Database, TargetDatabase = unit.Database, Connection = request.Connection,
                Keys = request.Keys, ReplaceExisting = existing.Contains(unit), ReplacePostgresDatabase = replacePostgres,
                SafetyLockWaitTimeout = request.SafetyLockWaitTimeout,
            }, repository, cancel));
            // A database the source marked as a template (a PostGIS template…) is one again, once it is in place.
            if (backup.Databases.Single(d => d.Name == unit.Database).IsTemplate)
            {
                using var admin = PgSession.Open(request.Connection, SystemDatabases.Postgres, cancel);
                DatabaseAdmin.MarkTemplate(admin, unit.Database, true);
            }
        }
        result.Duration = clock.Elapsed;
        return result;
    }

    /// <summary>
    /// Runs the globals script; "already exists" errors (the connecting role, reused tablespaces) are notices, others
    /// fail. The script is read whole and checked (checksums, no psql meta-command) before psql sees a line of it:
    /// roles and tablespaces are kilobytes, and a meta-command such as \! would run a shell command as this OS user.
    /// </summary>
    private List<string> RestoreGlobals(BackupInfo backup, IBackupRepository repository, ClusterRestoreRequest request, CancellationToken cancel)
    {
        var file = DatabaseUnit.OneFile(backup, f => f.Format == "globals", "globals script");
        byte[] script;
        using (var source = new StoredObjectReader(repository, backup, file, request.Keys.Decryption))
            script = GlobalsScriptFilter.ReadChecked(source, file.PlainSize, backup.Id, cancel);
        var psql = PgToolLocator.Find("psql");
        using var process = PgProcess.Start(psql, new[] { "-X", "-q", "-v", "ON_ERROR_STOP=0", "--no-password", "-f", "-" },
            request.Connection.ToEnvironment("postgres"), redirectInput: true, redirectOutput: true, cancel: cancel);
        var drain = Task.Run(() => process.StandardOutput.CopyTo(Stream.Null));
        var keptOwnRole = GlobalsScriptFilter.Copy(new MemoryStream(script), process.StandardInput, request.Connection.Username);
        process.StandardInput.Close();
        process.WaitForExit(cancel);
        drain.GetAwaiter().GetResult();
        var errors = process.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains("ERROR:", StringComparison.Ordinal)).ToList();
        var fatal = errors.Where(l => !l.Contains("already exists", StringComparison.Ordinal)).ToList();
        if (fatal.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.GlobalsRestoreFailed,
                $"Restoring roles and tablespaces of backup {backup.Id} failed: {string.Join(" ", fatal.Take(5))}", backup.Id);
        if (keptOwnRole) errors.Insert(0, $"Role {request.Connection.Username} (doing the restore) kept its definition and password on {request.Connection.DisplayName}.");
        if (backup.RolePasswordsOmitted)
            _reporter.Warning($"Backup {backup.Id} was taken by a login that is not a superuser, so its roles have no passwords: roles it created on {request.Connection.DisplayName} cannot log in with a password until one is set (ALTER ROLE … PASSWORD).");
        foreach (var notice in errors) _reporter.Verbose(notice);
        return errors;
    }

    private static bool IsEmpty(PgConnectionInfo connection, string database, CancellationToken cancel)
    {
        using var conn = PgSession.Open(connection, database, cancel);
        using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'", conn);
        return (long)cmd.ExecuteScalar()! == 0;
    }
}
