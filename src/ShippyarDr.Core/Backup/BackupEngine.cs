using System.Runtime.ExceptionServices;
using ShippyarDr.Authentication;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Tools;

namespace ShippyarDr.Backup;

/// <summary>
/// Takes backups: logical ones of one database (Daily, Safety) or the whole cluster (Weekly: globals and every
/// database), and physical base backups of the cluster (Base, see Physical/BaseBackupTaker). Each dump is parsed (row
/// counts, foreign keys), compressed, encrypted, hashed and written to every repository in one pass
/// (StoredObjectWriter); a base backup's archives go the same way. A repository's manifest is written only after all its data is
/// complete, its seals (signature, MAC) just before it. A repository that fails midway (several given) is dropped and
/// reported, and the backup completes in the others; any other failure leaves no manifest anywhere. A failed run
/// removes exactly the objects it created (never another run's), and a lease in the folder tells a killed run's
/// leftovers from a backup still being written; the next run of the same database removes those of its own host.
/// </summary>
public sealed class BackupEngine
{
    public const string ClusterScope = "_cluster";
    private readonly IOperationReporter _reporter;

    public BackupEngine(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    public BackupInfo Run(BackupRequest request, IBackupRepository repository, CancellationToken cancel = default)
        => Run(request, new[] { repository }, cancel)[0];

    /// <summary>
    /// Into the repositories of <paramref name="targets"/> that opened; each that did not is reported as an error
    /// once the backup stands in the others (see <see cref="BackupTargets"/>).
    /// </summary>
    public IReadOnlyList<BackupInfo> Run(BackupRequest request, BackupTargets targets, CancellationToken cancel = default)
    {
        IReadOnlyList<BackupInfo> stored;
        try
        {
            stored = Run(request, targets.RequireOne(_reporter), cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException && targets.Opened.Count > 0)
        {
            targets.ReportUnopened(_reporter);
            throw;
        }
        targets.ReportNotStored(stored, _reporter);
        return stored;
    }

    /// <summary>One pass, stored in every repository; returns the backup as each repository holds it.</summary>
    public IReadOnlyList<BackupInfo> Run(BackupRequest request, IReadOnlyList<IBackupRepository> repositories, CancellationToken cancel = default)
    {
        if (repositories.Count == 0) throw new ArgumentException("At least one repository is needed.", nameof(repositories));
        var preset = TierPreset.For(request.Tier);
        if (preset.EncryptionRequired && request.Storage.Encryption is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.EncryptionRequired,
                $"{request.Tier} backups must be encrypted: give a passphrase or a recipient public key.");
        if (request.Checkpoint is not null && preset.Kind != BackupKind.Physical)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.CheckpointNotApplicable,
                $"A checkpoint mode applies to base backups; {request.Tier} backups are dumps and take no checkpoint.", request.Tier.ToString());
        if (request.ObjectLockDays is { } lockDays) RefuseUnlockable(repositories, lockDays, request.ObjectLockMode);
        var sealers = ManifestSealers.For(request.Storage, request.Signing);
        if (!preset.WholeCluster) DatabaseName.Check(request.Database);
        var physical = preset.Kind == BackupKind.Physical;

        var scope = preset.WholeCluster ? "the cluster" : request.Database;
        var activity = $"Backing up {scope} on {request.Connection.DisplayName}";
        _reporter.Progress(activity, "Connecting");
        ServerFacts facts;
        IReadOnlyList<DatabaseFacts> databases;
        using (var conn = PgSession.Open(request.Connection, request.Database, cancel))
        {
            facts = ServerFacts.Read(conn);
            databases = preset.WholeCluster && !physical ? DatabaseFacts.ListForCluster(conn) : Array.Empty<DatabaseFacts>();
        }
        var pgDump = physical ? null : PgToolLocator.Find("pg_dump", facts.MajorVersion);

        var start = DateTimeOffset.UtcNow;
        var objectLock = request.ObjectLockDays is { } days ? ObjectLock.ForDays(days, request.ObjectLockMode, start) : null;
        var info = new BackupInfo
        {
            Id = BackupId.New(start, request.Tier), Kind = preset.Kind, Database = preset.WholeCluster ? ClusterScope : request.Database, Tier = request.Tier,
            RecipientKeys = request.Storage.Encryption?.RecipientKeys,
            Server = request.Connection.DisplayName, ServerVersion = facts.Version, ServerVersionNum = facts.VersionNum,
            SystemIdentifier = facts.SystemIdentifier, StartTime = start, ReasonBackupId = request.ReasonBackupId,
            Retention = request.Retention ?? preset.Retention, StorageClass = request.StorageClass ?? preset.StorageClass,
            ObjectLockUntil = objectLock?.Until, ObjectLockMode = objectLock?.Mode,
            ToolVersions =
            {
                ["ShippyarDr"] = typeof(BackupEngine).Assembly.GetName().Version?.ToString(3) ?? "",
                ["compression"] = request.Storage.Compression.Implementation,
            },
        };
        if (pgDump is not null) info.ToolVersions["pg_dump"] = pgDump.VersionText;
        if (!preset.WholeCluster)
        {
            (info.DatabaseSize, info.DatabaseOwner, info.Encoding, info.Collation, info.CType) =
                (facts.DatabaseSize, facts.Owner, facts.Encoding, facts.Collation, facts.CType);
        }
        info.Prefix = BackupLayout.NewPrefix(preset.WholeCluster, info.Database, info.Id);
        _reporter.Verbose($"Backup {info.Id} of {scope} with {(physical ? "BASE_BACKUP" : pgDump)}, {request.Storage.Compression}{(request.Storage.Encryption is null ? "" : ", encrypted")}, into {string.Join(", ", repositories.Select(r => r.Location))}.");

        // Locked through views of the repositories: the manifest and its seals are locked like the data they describe.
        var recording = repositories.Select(r => new RecordingRepository(objectLock is null ? r : ((IObjectLockingRepository)r).WithObjectLock(objectLock))).ToList();
        var lease = BackupLease.ForThisProcess();
        using var running = lease.Hold();
        var stored = new List<IBackupRepository>();
        var failed = new List<(IBackupRepository Repository, Exception Error)>();
        var ready = new List<RecordingRepository>();
        foreach (var repository in recording)
        {
            // One that refuses (a newer format, sealed backups only, a store that stopped answering) is left out like one
            // that fails midway; alone, its refusal is the backup's.
            try
            {
                Ready(repository, info, isSealed: sealers.Count > 0, lease);
                ready.Add(repository);
            }
            catch (ShippyarException e) when (repositories.Count > 1)
            {
                failed.Add((repository, e));
            }
        }
        if (ready.Count == 0) ExceptionDispatchInfo.Throw(failed[^1].Error);
        var live = new LiveRepositories(ready);
        var dumper = new DatabaseDumper(live, request.Connection, request.Storage, _reporter) { LockWaitTimeout = request.LockWaitTimeout };
        try
        {
            if (physical) TakeBaseBackup(info, live, request, activity, cancel);
            else if (preset.WholeCluster) DumpCluster(info, databases, dumper, pgDump!, facts, request, activity, cancel);
            else DumpDatabase(info, dumper, pgDump!, request, activity, cancel);
            info.Size = info.Files.Sum(f => f.Size);
            info.EndTime = DateTimeOffset.UtcNow;
            cancel.ThrowIfCancellationRequested();
            failed.AddRange(live.Failed);
            var manifest = ManifestSerializer.Serialize(info);
            var seals = sealers.Select(s => (s.FileName, s.Seal(manifest))).ToList();
            info.Authentication = sealers.Aggregate(ManifestAuthentication.None, (a, s) => a | (s is SigningKey ? ManifestAuthentication.Signature : ManifestAuthentication.Mac));
            // Last: from here on the backup exists, repository by repository.
            foreach (var repository in live.Live)
            {
                try
                {
                    objectLock?.ConfirmKeptBy(repository, BackupLayout.Key(info, info.Files[0].Name));
                    new BackupCatalog(repository).Save(info, manifest, seals);
                    stored.Add(repository);
                }
                catch (ShippyarException e) when (repositories.Count > 1)
                {
                    failed.Add((repository, e));
                }
            }
            if (stored.Count == 0) ExceptionDispatchInfo.Throw(failed[^1].Error);
        }
        catch
        {
            foreach (var repository in recording) RemovePartial(repository, info);
            throw;
        }
        foreach (var (repository, error) in failed)
        {
            RemovePartial((RecordingRepository)repository, info);
            _reporter.Error(NotStoredIn(repository, error, info, stored));
        }
        foreach (var repository in stored.Cast<RecordingRepository>()) Complete(repository, info);
        _reporter.Verbose($"Backup {info.Id} complete: {info.Size / 1048576.0:F1} MB stored ({info.Files.Sum(f => f.PlainSize) / 1048576.0:F1} MB dumped) in {info.Duration.TotalSeconds:F1} s.");
        return stored.Select(r => info.InRepository(r.Location)).ToList();
    }

    /// <summary>Before connecting: a lock that cannot be kept is refused, never a backup stored unlocked.</summary>
    private static void RefuseUnlockable(IReadOnlyList<IBackupRepository> repositories, int days, ObjectLockMode mode)
    {
        ObjectLock.ForDays(days, mode, DateTimeOffset.UtcNow);
        if (repositories.FirstOrDefault(r => r is not IObjectLockingRepository) is { } unlockable)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ObjectLockNotSupported,
                $"Repository {unlockable.Location} cannot lock objects: Object Lock is a feature of S3 buckets created with it enabled, not of directories.", unlockable.Location);
    }

    /// <summary>Before the first byte: the repository takes this backup (its format, its sealing), what killed runs of the same
    /// database left there goes, and the lease that names this run comes first.</summary>
    private void Ready(RecordingRepository repository, BackupInfo info, bool isSealed, BackupLease lease)
    {
        if (RepositoryDescriptor.CheckWritable(repository)?.Authenticated == true && !isSealed)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.AuthenticationRequired,
                $"Repository {repository.Location} holds authenticated backups, and readers refuse an unauthenticated one there: sign this backup (a signing key) or encrypt it with a passphrase.", repository.Location);
        AbandonedBackups.RemoveFrom(repository.Inner, info.Database, _reporter);
        repository.WriteAtomically(BackupLayout.Key(info, BackupLayout.LeaseName), lease.Serialize());
    }

    /// <summary>The backup is complete here: its lease goes (best effort: a lease left beside a manifest is harmless).</summary>
    private void Complete(RecordingRepository repository, BackupInfo info)
    {
        repository.Keep();
        try { repository.Delete(BackupLayout.Key(info, BackupLayout.LeaseName)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ShippyarException)
        {
            _reporter.Verbose($"The lease of backup {info.Id} stays in {repository.Location}: {e.Message}");
        }
    }

    /// <summary>One repository of several failed midway: the backup stands in the others, and the error says so.</summary>
    private static ShippyarException NotStoredIn(IBackupRepository repository, Exception error, BackupInfo info, IEnumerable<IBackupRepository> stored)
    {
        var (kind, id) = error is ShippyarException s ? (s.Kind, s.ErrorId) : (ShippyarErrorKind.WriteError, ErrorIds.RepositoryWriteFailed);
        return new(kind, id, $"Backup {info.Id} could not be stored in {repository.Location} and was removed there: {error.Message} " +
            $"It is complete in {string.Join(", ", stored.Select(r => r.Location))}.", repository.Location, error);
    }

    private void TakeBaseBackup(BackupInfo info, LiveRepositories live, BackupRequest request, string activity, CancellationToken cancel)
    {
        using var sql = PgSession.Open(request.Connection, request.Database, cancel);
        new Physical.BaseBackupTaker(live, request, _reporter).Take(info, sql, activity, cancel);
    }

    private void DumpDatabase(BackupInfo info, DatabaseDumper dumper, PgTool pgDump, BackupRequest request, string activity, CancellationToken cancel)
    {
        var key = BackupLayout.Key(info, request.Storage.StoredName(BackupLayout.DumpName));
        var (file, summary) = dumper.DumpDatabase(pgDump, info.Database, key, activity, cancel);
        info.Files.Add(file);
        info.Tables = summary.Tables.Select(t => new TableRowCount { Schema = t.Schema, Name = t.Table, Rows = t.Rows ?? 0 }).ToList();
        info.ForeignKeys = summary.ForeignKeys.Select(fk => $"{fk.Namespace}.{fk.Tag}").ToList();
    }

    private void DumpCluster(BackupInfo info, IReadOnlyList<DatabaseFacts> databases, DatabaseDumper dumper, PgTool pgDump, ServerFacts facts,
        BackupRequest request, string activity, CancellationToken cancel)
    {
        var pgDumpAll = PgToolLocator.Find("pg_dumpall", facts.MajorVersion);
        info.ToolVersions["pg_dumpall"] = pgDumpAll.VersionText;
        _reporter.Progress(activity, "Roles and tablespaces");
        info.RolePasswordsOmitted = !facts.IsSuperuser;
        if (info.RolePasswordsOmitted)
            _reporter.Verbose($"{request.Connection.DisplayName} is not connected as a superuser: the roles are backed up without their passwords (pg_authid is for superusers only).");
        info.Files.Add(dumper.DumpGlobals(pgDumpAll, BackupLayout.Key(info, request.Storage.StoredName(BackupLayout.GlobalsName)), info.RolePasswordsOmitted, activity, cancel));
        // pg_dump cannot connect to a database that accepts no connections: the backup says it is not in it.
        foreach (var closed in databases.Where(d => !d.AllowsConnections))
        {
            info.ExcludedDatabases.Add($"{closed.Name}: accepts no connections (datallowconn is false)");
            _reporter.Warning($"Database {closed.Name} accepts no connections (datallowconn is false) and is not in cluster backup {info.Id}.");
        }
        databases = databases.Where(d => d.AllowsConnections).ToList();
        for (var i = 0; i < databases.Count; i++)
        {
            var db = databases[i];
            _reporter.Progress(activity, $"Database {db.Name} ({i + 1} of {databases.Count})", i * 100 / databases.Count);
            var key = BackupLayout.Key(info, request.Storage.StoredName(BackupLayout.ClusterDumpName(i, db.Name)));
            var (file, summary) = dumper.DumpDatabase(pgDump, db.Name, key, activity, cancel);
            info.Files.Add(file);
            info.Databases.Add(new ClusterDatabase
            {
                Name = db.Name, File = file.Name, Owner = db.Owner, Encoding = db.Encoding, Collation = db.Collation, CType = db.CType, Size = db.Size,
                IsTemplate = db.IsTemplate,
                Tables = summary.Tables.Select(t => new TableRowCount { Schema = t.Schema, Name = t.Table, Rows = t.Rows ?? 0 }).ToList(),
                ForeignKeys = summary.ForeignKeys.Select(fk => $"{fk.Namespace}.{fk.Tag}").ToList(),
            });
            info.DatabaseSize += db.Size;
        }
    }

    private void RemovePartial(RecordingRepository repository, BackupInfo info)
    {
        // Without a manifest the leftovers never look like a backup; status reports them as incomplete.
        if (repository.DeleteCreated() is { } problem)
            _reporter.Warning($"Could not remove all of the partial backup {info.Id} from {repository.Location}: {problem}");
    }
}
