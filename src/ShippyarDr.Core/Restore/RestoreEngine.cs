using System.Diagnostics;
using Npgsql;
using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Leftovers;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;

namespace ShippyarDr.Restore;

/// <summary>
/// Restores a backup as a database. The archive goes into a staging database first and is checked there; an
/// existing target is touched only after a safety backup of it exists and the staging copy is ready, and is
/// then swapped out by renames in one transaction (DatabaseSwap), so a failure at any point leaves the target as it
/// was. Every database the run creates carries its token (RunSession), so concurrent runs never collide and what a
/// killed run leaves is found (LeftoverFinder) and, on the next restore of the target, dropped.
/// </summary>
public sealed class RestoreEngine
{
    private readonly IOperationReporter _reporter;

    public RestoreEngine(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public RestoreResult Run(RestoreRequest request, IBackupRepository repository, CancellationToken cancel = default)
        => RunAuthenticated(BackupAuthenticator.Require(repository, request.Backup, request.Keys, _reporter), request, repository, cancel);

    /// <summary>A restore of a backup whose manifest was authenticated already (a cluster restore checks it once).</summary>
    internal RestoreResult RunAuthenticated(BackupInfo backup, RestoreRequest request, IBackupRepository repository, CancellationToken cancel)
    {
        var unit = DatabaseUnit.Of(backup, request.SourceDatabase);
        var target = request.TargetDatabase;
        var activity = $"Restoring backup {backup.Id} as {target} on {request.Connection.DisplayName}";
        var result = new RestoreResult
        {
            BackupId = backup.Id, SourceDatabase = unit.Database, TargetDatabase = target,
            Server = request.Connection.DisplayName, StartTime = DateTimeOffset.UtcNow,
        };
        var clock = Stopwatch.StartNew();
        if (SystemDatabases.RefuseByName(target, request.Connection.DisplayName) is { } refused) throw refused;
        _reporter.Progress(activity, "Connecting");
        // The run's session must not sit in the database being swapped (a cluster restore replaces postgres).
        using var run = RunSession.Open(request.Connection, target == SystemDatabases.Postgres ? "template1" : SystemDatabases.Postgres, cancel);
        var admin = run.Connection;
        if (run.ClaimTarget(target) is { } other)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TargetBeingRestored,
                $"Another restore into '{target}' is running on {request.Connection.DisplayName} ({other}); this one changed nothing. Run it again once that one is over.", target);
        var targetExists = PrepareTarget(admin, request);

        // Before anything is written: the key opens the backup, and the safety backup can be protected like it.
        var decryption = request.Keys.Decryption;
        ProveReadable(repository, backup, unit.File, decryption);
        if (targetExists)
        {
            var (storage, signing) = SafetyProtection.For(backup, request.Keys);
            _reporter.Progress(activity, $"Taking a safety backup of {target}");
            var safety = new BackupEngine(_reporter).Run(new BackupRequest
            {
                Database = target, Connection = request.Connection, Tier = BackupTier.Safety, ReasonBackupId = backup.Id,
                Storage = storage, Signing = signing, LockWaitTimeout = request.SafetyLockWaitTimeout,
            }, repository, cancel);
            result.SafetyBackupId = safety.Id;
            _reporter.Verbose($"Safety backup {safety.Id} of {target} is in {repository.Location}.");
        }

        var staging = run.DatabaseName(LeftoverKind.Staging, backup.Id);
        try
        {
            Stage(run, staging, backup, unit, request, repository, result, activity, cancel);
            cancel.ThrowIfCancellationRequested();
            _reporter.Progress(activity, $"Putting {target} in place");
            var swap = new DatabaseSwap(admin, _reporter, activity);
            if (targetExists) swap.Replace(staging, target, run.DatabaseName(LeftoverKind.Replaced, backup.Id), run.Note(LeftoverKind.Replaced, backup.Id, target));
            else swap.Install(staging, target);
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

    /// <summary>Whether the target exists; refuses a target that may not be replaced, and drops what interrupted restores of it left.</summary>
    private bool PrepareTarget(NpgsqlConnection admin, RestoreRequest request)
    {
        var (target, server) = (request.TargetDatabase, request.Connection.DisplayName);
        var exists = DatabaseInspector.DatabaseExists(admin, target);
        if (exists && !request.ReplaceExisting)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.TargetExists,
                $"Database '{target}' already exists on {server}. Confirm the replacement to go on; a safety backup is taken first.", target);
        if (exists && SystemDatabases.RefuseReplacing(admin, target, server, request.ReplacePostgresDatabase) is { } refusal)
            throw refusal;
        // A half-done earlier restore of this target: its staging copy, or the old copy a finished swap did not drop.
        LeftoverCleaner.DropDead(admin, server, l => l.TargetDatabase == target && l.Kind is LeftoverKind.Staging or LeftoverKind.Replaced, _reporter);
        return exists;
    }

    /// <summary>Restores into the staging database and checks every table's rows against the backup.</summary>
    private void Stage(RunSession run, string staging, BackupInfo backup, DatabaseUnit unit, RestoreRequest request, IBackupRepository repository,
        RestoreResult result, string activity, CancellationToken cancel)
    {
        var target = request.TargetDatabase;
        var restore = new UnitRestore(backup, unit, repository, request.Keys.Decryption, request.Connection, _reporter);
        result.RestoreDuration = restore.Into(run.Connection, staging, run.Note(LeftoverKind.Staging, backup.Id, target), request.NoOwner, singleTransaction: false, activity, cancel);

        _reporter.Progress(activity, "Checking the restored data");
        using (var conn = PgSession.Open(request.Connection, staging, cancel))
            result.Tables = unit.Tables.Select(t => UnitRestore.Check(conn, t, latestCreatedAt: true)).ToList();
        var wrong = result.Tables.Where(t => !t.RowsMatch).ToList();
        if (wrong.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.RestoreVerificationFailed,
                $"The restored data does not match backup {backup.Id}: " + string.Join("; ", wrong.Select(t => $"{t.Table} has {t.RestoredRows} rows, the backup {t.ExpectedRows}"))
                + $". {target} was not changed.", target);
    }

    /// <summary>Opens the archive far enough to know the key decrypts it (the first chunk, the session key); throws if not.</summary>
    private static void ProveReadable(IBackupRepository repository, BackupInfo backup, BackupFile file, IDecryptionStage? decryption)
    {
        using var probe = new StoredObjectReader(repository, backup, file, decryption);
        probe.ReadExactly(new byte[1]);
    }

    /// <summary>Whether a database of that name exists on the server.</summary>
    public static bool DatabaseExists(PgConnectionInfo connection, string name, CancellationToken cancel = default)
    {
        using var admin = PgSession.Open(connection, "postgres", cancel);
        return DatabaseInspector.DatabaseExists(admin, name);
    }

    private void TryDrop(NpgsqlConnection admin, string database)
    {
        try { DatabaseAdmin.Drop(admin, database); }
        catch (NpgsqlException e) { _reporter.Warning($"Could not drop database {database}: {e.Message}"); }
    }
}
