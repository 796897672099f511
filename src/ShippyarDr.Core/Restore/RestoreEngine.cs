using System.Diagnostics;
using Npgsql;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;

namespace ShippyarDr.Restore;

/// <summary>
/// Restores a backup as a database. The archive goes into a staging database first and is checked there; an
/// existing target is touched only after a safety backup of it exists and the staging copy is ready, and is
/// then swapped out by renames, so a failure at any point leaves the target as it was.
/// </summary>
public sealed class RestoreEngine
{
    private readonly IOperationReporter _reporter;

    public RestoreEngine(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public RestoreResult Run(RestoreRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        var backup = request.Backup;
        var unit = ArchiveUnit.Of(backup, request.SourceDatabase);
        var target = request.TargetDatabase;
        var activity = $"Restoring backup {backup.Id} as {target} on {request.Connection.DisplayName}";
        var result = new RestoreResult
        {
            BackupId = backup.Id, SourceDatabase = unit.Database, TargetDatabase = target,
            Server = request.Connection.DisplayName, StartTime = DateTimeOffset.UtcNow,
        };
        var clock = Stopwatch.StartNew();
        _reporter.Progress(activity, "Connecting");
        // The maintenance connection must not sit in the database being swapped (a cluster restore replaces postgres).
        using var admin = PgSession.Open(request.Connection, target == "postgres" ? "template1" : "postgres", cancel);
        var targetExists = DatabaseInspector.DatabaseExists(admin, target);
        if (targetExists && !request.ReplaceExisting)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, "TargetExists",
                $"Database '{target}' already exists on {request.Connection.DisplayName}. Confirm the replacement (or use -Force); a safety backup is taken first.", target);

        if (targetExists)
        {
            _reporter.Progress(activity, $"Taking a safety backup of {target}");
            var safety = new BackupEngine(_reporter).Run(new BackupRequest
            {
                Database = target, Connection = request.Connection, Tier = BackupTier.Safety, ReasonBackupId = backup.Id,
                Storage = request.SafetyStorage, LockWaitTimeout = request.SafetyLockWaitTimeout,
            }, repository, cancel);
            result.SafetyBackupId = safety.Id;
            _reporter.Verbose($"Safety backup {safety.Id} of {target} is in {repository.Location}.");
        }

        var staging = "shippyar_restore_" + BackupId.ForIdentifier(backup.Id);
        DatabaseAdmin.Drop(admin, staging);
        try
        {
            DatabaseAdmin.CreateLike(admin, staging, unit);
            var restoreClock = Stopwatch.StartNew();
            var args = new List<string> { "--exit-on-error", "--dbname", staging };
            if (request.NoOwner) args.AddRange(new[] { "--no-owner", "--no-privileges" });
            // --dbname above is only a name: host, user and password travel in the environment.
            using (var source = new ArchiveReadStream(repository, BackupLayout.Key(backup.Database, backup.Id, unit.File.Name), unit.File, request.Decryption))
                PgRestoreRunner.Run(backup, unit.File, source, request.Connection, staging, args, _reporter, activity, cancel);
            result.RestoreDuration = restoreClock.Elapsed;

            _reporter.Progress(activity, "Checking the restored data");
            using (var conn = PgSession.Open(request.Connection, staging, cancel))
                result.Tables = InspectTables(conn, unit);
            var wrong = result.Tables.Where(t => !t.RowsMatch).ToList();
            if (wrong.Count > 0)
                throw new ShippyarException(ShippyarErrorKind.InvalidData, "RestoreVerificationFailed",
                    $"The restored data does not match backup {backup.Id}: " + string.Join("; ", wrong.Select(t => $"{t.Table} has {t.RestoredRows} rows, the backup {t.ExpectedRows}"))
                    + $". {target} was not changed.", target);
            cancel.ThrowIfCancellationRequested();
            _reporter.Progress(activity, $"Putting {target} in place");
            if (targetExists) Swap(admin, staging, target, backup);
            else DatabaseAdmin.Rename(admin, staging, target);
            result.ReplacedExisting = targetExists;
        }
        catch
        {
            TryDrop(admin, staging);
            throw;
        }
        result.Duration = clock.Elapsed;
        return result;
    }

    /// <summary>Whether a database of that name exists on the server.</summary>
    public static bool DatabaseExists(PgConnectionInfo connection, string name, CancellationToken cancel = default)
    {
        using var admin = PgSession.Open(connection, "postgres", cancel);
        return DatabaseInspector.DatabaseExists(admin, name);
    }

    /// <summary>Renames the old target aside, the staging database in, and only then drops the old one.</summary>
    private void Swap(NpgsqlConnection admin, string staging, string target, BackupInfo backup)
    {
        var old = "shippyar_replaced_" + BackupId.ForIdentifier(backup.Id);
        DatabaseAdmin.Drop(admin, old);
        DatabaseAdmin.AllowConnections(admin, target, false);
        try
        {
            var ended = DatabaseAdmin.TerminateSessions(admin, target);
            if (ended > 0) _reporter.Verbose($"Ended {ended} session(s) on {target}.");
            DatabaseAdmin.Rename(admin, target, old);
        }
        catch
        {
            DatabaseAdmin.AllowConnections(admin, target, true);
            throw;
        }
        try
        {
            DatabaseAdmin.Rename(admin, staging, target);
        }
        catch
        {
            DatabaseAdmin.Rename(admin, old, target);
            DatabaseAdmin.AllowConnections(admin, target, true);
            throw;
        }
        // The new database is in place; an old copy that will not drop is clutter, not a failed restore.
        TryDrop(admin, old);
    }

    private static List<TableRestoreCheck> InspectTables(NpgsqlConnection conn, ArchiveUnit unit)
        => unit.Tables.Select(t => new TableRestoreCheck
        {
            Table = t.QualifiedName,
            ExpectedRows = t.Rows,
            RestoredRows = DatabaseInspector.CountRows(conn, t.Schema, t.Name),
            LatestCreatedAt = DatabaseInspector.LatestCreatedAt(conn, t.Schema, t.Name),
        }).ToList();

    private void TryDrop(NpgsqlConnection admin, string database)
    {
        try { DatabaseAdmin.Drop(admin, database); }
        catch (NpgsqlException e) { _reporter.Warning($"Could not drop database {database}: {e.Message}"); }
    }
}
