using System.Diagnostics;
using System.Globalization;
using ShippyarDr.Authentication;
using ShippyarDr.Cluster;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical;
using ShippyarDr.Repository;
using ShippyarDr.Wal;

namespace ShippyarDr.Recovery;

/// <summary>
/// Point-in-time recovery of a cluster from a repository: the base backup that ends before the target, the WAL archive
/// after it. Everything that can be checked is checked before the data directory is touched: no server running there,
/// the backup authentic and its keys at hand, the archive holding every segment the recovery replays (WalCoverage), the
/// restore_command able to read it. Then what is in the way is moved aside (never deleted), the base backup restored
/// (tablespaces too), recovery.signal and the settings written (RecoveryConfiguration: archive_mode off, promote at the
/// target, timeline latest), and optionally the server started as the directory's owner until its recovery ends.
/// </summary>
public sealed class PointInTimeRestore
{
    private readonly IOperationReporter _reporter;

    public PointInTimeRestore(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    /// <summary>The base backup a recovery to <paramref name="target"/> starts from, the archive it replays, and the plan (nothing written).</summary>
    public (BackupInfo Backup, WalArchiveInfo Archive, WalCoverage.Plan Plan) Prepare(IBackupRepository repository, RecoveryTarget target, string? backupId, BackupKeys keys)
    {
        var archives = new WalArchiveScanner(repository).Scan();
        var backup = backupId is not null ? Explicit(repository, backupId, target) : Newest(repository, archives, target);
        var archive = archives.FirstOrDefault(a => a.SystemIdentifier == backup.SystemIdentifier)
            ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalArchiveNotFound,
                $"{repository.Location} holds no WAL archive of cluster {backup.SystemIdentifier}, the cluster of base backup {backup.Id}: point-in-time recovery replays the archive after the backup. Nothing was restored.",
                repository.Location);
        if (archive.Conflicts.Count > 0)
            _reporter.Warning($"The WAL archive holds {archive.Conflicts.Count} name(s) archived twice with different content ({string.Join(", ", archive.Conflicts.Take(3))}): a fetch of them fails.");
        backup = BackupAuthenticator.Require(repository, backup, keys, _reporter);
        var plan = new WalCoverage(repository, archive, keys, _reporter).Require(backup, target);
        return (backup, archive, plan);
    }

    public PointInTimeRestoreResult Run(PointInTimeRestoreRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        var dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.DataDirectory));
        var activity = $"Point-in-time recovery into {dataDirectory}";
        _reporter.Progress(activity, "Checking the data directory, the base backup and the WAL archive");
        LocalServer.RefuseRunning(dataDirectory);
        var (backup, archive, plan) = Prepare(repository, request.Target, request.BackupId, request.Keys);
        var physical = backup.Physical!;
        var spool = request.Prefetch ? FetchSpool.Beside(dataDirectory) : null;
        var restoreCommand = (spool is null ? request.RestoreCommand : request.RestoreCommand.Prefetching(spool)).Build();
        if (archive.Sealed && !request.RestoreCommand.NamesKeys)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RestoreCommandNeedsKeys,
                $"The WAL archive of cluster {archive.SystemIdentifier} is sealed, and the restore command names no key to check (or decrypt) it with: give a passphrase file or variable, a secret key file or the signers' key file, or a registered repository. Nothing was restored.",
                archive.SystemIdentifier);
        foreach (var file in backup.Files) Pipeline.StoredObjectReader.RequireKey(file, request.Keys.Decryption);
        cancel.ThrowIfCancellationRequested();

        var now = DateTimeOffset.UtcNow;
        var places = Places(physical, request.TablespaceLocations);
        // A tablespace going back where the server had it may be in use by that server (a copy recovered beside it): never moved.
        var original = physical.Tablespaces.Where(t => places[t.Oid] == Path.GetFullPath(t.Location) && !Given(request.TablespaceLocations, t)).Select(t => places[t.Oid])
            .Where(p => Directory.Exists(p) && Directory.EnumerateFileSystemEntries(p).Any()).ToList();
        if (original.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RestoreTargetNotEmpty,
                $"The tablespace place{(original.Count == 1 ? "" : "s")} {string.Join(" and ", original)} of base backup {backup.Id} {(original.Count == 1 ? "is" : "are")} not empty, and a server may be using {(original.Count == 1 ? "it" : "them")}: "
                + "it is never moved aside. Restore the tablespace elsewhere (a new place by oid or name), or clear the place yourself once no server uses it. Nothing was restored.", original[0]);
        var nonEmpty = places.Values.Prepend(dataDirectory).Where(p => Directory.Exists(p) && Directory.EnumerateFileSystemEntries(p).Any()).ToList();
        if (nonEmpty.Count > 0 && !request.MoveAsideExisting)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RestoreTargetNotEmpty,
                $"{string.Join(" and ", nonEmpty)} {(nonEmpty.Count == 1 ? "is" : "are")} not empty: a recovery restores into empty directories, or moves what is there aside first.", nonEmpty[0]);
        var movedAside = new List<string>();
        foreach (var place in nonEmpty)
        {
            LocalServer.RefuseRunning(place);
            var aside = MoveAside.IfNotEmpty(place, now);
            if (aside is not null)
            {
                movedAside.Add(aside);
                _reporter.Warning($"{place} was not empty: its contents are now in {aside} (nothing deleted).");
            }
        }

        var restored = new BaseBackupRestore(_reporter).Extract(backup, new BaseBackupRestoreRequest
        {
            Backup = backup, DataDirectory = dataDirectory, TablespaceLocations = places, Keys = request.Keys, Owner = request.Owner,
        }, repository, cancel);
        _reporter.Progress(activity, "Writing the recovery settings");
        if (spool is not null) FetchSpool.Create(spool, request.Owner);
        RecoveryConfiguration.Write(dataDirectory, restoreCommand, request.Target, now);
        foreach (var name in new[] { RecoveryConfiguration.AutoConf, RecoveryConfiguration.Signal })
            Restrict(Path.Combine(dataDirectory, name), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Restrict(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        request.Owner.GiveOwnership(dataDirectory);
        _reporter.Verbose($"Recovery of {dataDirectory} set to {request.Target} from base backup {backup.Id}; {plan.SegmentCount} archived segment(s) to {plan.LastSegment ?? "(none)"} are in the archive.");

        var result = new PointInTimeRestoreResult
        {
            BackupId = backup.Id, BackupStopTime = physical.StopTime, Repository = repository.Location, Target = request.Target.ToString(),
            DataDirectory = dataDirectory, Tablespaces = restored.Tablespaces, MovedAside = movedAside, RestoreCommand = restoreCommand,
            SegmentsNeeded = plan.SegmentCount, LastSegmentNeeded = plan.LastSegment, Files = restored.Files, Bytes = restored.Bytes,
            RestoreDuration = restored.Duration, SpoolDirectory = spool, SystemIdentifier = backup.SystemIdentifier,
        };
        if (spool is not null && !request.Start)
            _reporter.Verbose($"The recovered server prefetches WAL into {spool}; remove it once recovery has ended.");
        return request.Start ? StartAndWait(request, result, activity, cancel) : result;
    }

    private PointInTimeRestoreResult StartAndWait(PointInTimeRestoreRequest request, PointInTimeRestoreResult restored, string activity, CancellationToken cancel)
    {
        var data = restored.DataDirectory;
        var port = request.Port ?? FreePort.OnLoopback();
        var log = Path.Combine(data, "shippyar-recovery.log");
        File.WriteAllText(log, "");
        Restrict(log, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        request.Owner.GiveOwnership(log);
        _reporter.Progress(activity, $"Starting the server on port {port} and replaying the WAL archive");
        var clock = Stopwatch.StartNew();
        var server = LocalServer.Start(data, new LocalServerOptions
        {
            Port = port, SocketDirectory = request.SocketDirectory, Account = request.Owner, LogFile = log, Wait = false,
        }, cancel);
        try
        {
            server.WaitForRecoveryEnd(request.RecoveryTimeout, cancel);
        }
        catch (OperationCanceledException)
        {
            StopQuietly(server);
            throw;
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.ServerWaitTimeout)
        {
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.ServerWaitTimeout,
                $"{e.Message} The server is left running: its recovery goes on.", data, e);
        }
        var point = RecoveryLog.Read(log);
        var replayed = clock.Elapsed;
        _reporter.Verbose($"Recovery of {data} ended after {replayed.TotalSeconds:F1} s: {point}.");
        var spoolLeft = restored.SpoolDirectory is { } spool && !FetchSpool.Remove(spool, restored.SystemIdentifier, _reporter) ? spool : null;
        return new PointInTimeRestoreResult
        {
            BackupId = restored.BackupId, BackupStopTime = restored.BackupStopTime, Repository = restored.Repository, Target = restored.Target,
            DataDirectory = data, Tablespaces = restored.Tablespaces, MovedAside = restored.MovedAside, RestoreCommand = restored.RestoreCommand,
            SegmentsNeeded = restored.SegmentsNeeded, LastSegmentNeeded = restored.LastSegmentNeeded, Files = restored.Files, Bytes = restored.Bytes,
            RestoreDuration = restored.RestoreDuration, Started = true, Port = port, LogFile = log, PointReached = point, ReplayDuration = replayed,
            SpoolDirectory = spoolLeft, SystemIdentifier = restored.SystemIdentifier,
        };
    }

    private static BackupInfo Explicit(IBackupRepository repository, string id, RecoveryTarget target)
    {
        var backup = new BackupCatalog(repository).Get(id);
        if (backup.Physical is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.NotAPhysicalBackup,
                $"Backup {backup.Id} is a logical backup (pg_dump archives): point-in-time recovery starts from a base backup.", backup.Id);
        if (!EndsBefore(backup, target))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RecoveryTargetBeforeBackup,
                $"Base backup {backup.Id} ends at {Describe(backup)}, after the target {target}: recovery can only go forward from where a base backup ends. Nothing was restored.", backup.Id);
        return backup;
    }

    private static BackupInfo Newest(IBackupRepository repository, IReadOnlyList<WalArchiveInfo> archives, RecoveryTarget target)
    {
        var clusters = archives.Select(a => a.SystemIdentifier).ToHashSet(StringComparer.Ordinal);
        var bases = new BackupCatalog(repository).List().Where(b => b.Physical is not null).ToList();
        var ofArchives = bases.Where(b => b.SystemIdentifier is { } s && clusters.Contains(s)).ToList();
        if (ofArchives.Select(b => b.SystemIdentifier).Distinct().Count() > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RecoveryBackupAmbiguous,
                $"{repository.Location} holds the WAL archives and base backups of {ofArchives.Select(b => b.SystemIdentifier).Distinct().Count()} clusters ({string.Join(", ", ofArchives.Select(b => b.SystemIdentifier).Distinct())}): name the base backup to start from.",
                repository.Location);
        if (clusters.Count == 0)
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.WalArchiveNotFound,
                $"{repository.Location} holds no WAL archive: point-in-time recovery replays the archive after a base backup. Nothing was restored.", repository.Location);
        var chosen = ofArchives.Where(b => EndsBefore(b, target)).OrderByDescending(StopTime).FirstOrDefault();
        return chosen ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.NoBaseBackupBeforeTarget,
            ofArchives.Count == 0
                ? $"{repository.Location} holds no base backup of the cluster{(clusters.Count == 1 ? " " + clusters.First() : "s")} its WAL archive{(clusters.Count == 1 ? " is" : "s are")} of{(bases.Count > 0 ? $" ({bases.Count} of other clusters)" : "")}. Nothing was restored."
                : $"No base backup in {repository.Location} ends before {target} (the oldest, {ofArchives.OrderBy(StopTime).First().Id}, ends at {Describe(ofArchives.OrderBy(StopTime).First())}). Nothing was restored.",
            target.ToString());
    }

    /// <summary>Each tablespace's place: the one given by oid or name, else where the server had it.</summary>
    private static Dictionary<uint, string> Places(PhysicalBackupInfo physical, IReadOnlyDictionary<string, string> given)
    {
        var unknown = given.Keys.Where(k => !physical.Tablespaces.Any(t => Matches(k, t))).ToList();
        if (unknown.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.TablespaceNotInBackup,
                $"The base backup has no tablespace {string.Join(", ", unknown)} (it has {(physical.Tablespaces.Count == 0 ? "none but pg_default and pg_global" : string.Join(", ", physical.Tablespaces.Select(t => $"{t.Name} (oid {t.Oid})")))}).",
                unknown[0]);
        return physical.Tablespaces.ToDictionary(t => t.Oid,
            t => Path.GetFullPath(given.FirstOrDefault(g => Matches(g.Key, t)).Value ?? t.Location));
    }

    private static bool Given(IReadOnlyDictionary<string, string> given, PhysicalTablespace t) => given.Keys.Any(k => Matches(k, t));

    private static bool Matches(string key, PhysicalTablespace t)
        => key == t.Oid.ToString(CultureInfo.InvariantCulture) || string.Equals(key, t.Name, StringComparison.Ordinal);

    private static DateTimeOffset StopTime(BackupInfo b) => b.Physical!.StopTime ?? b.EndTime;

    private static bool EndsBefore(BackupInfo backup, RecoveryTarget target) => target.Kind switch
    {
        RecoveryTargetKind.Time => StopTime(backup) < DateTimeOffset.Parse(target.Value!, CultureInfo.InvariantCulture),
        RecoveryTargetKind.Lsn => WalFileName.ParseLsn(backup.Physical!.StopLsn) <= WalFileName.ParseLsn(target.Value!),
        _ => true,
    };

    private static string Describe(BackupInfo b) => $"{StopTime(b):u} (LSN {b.Physical!.StopLsn})";

    private static void Restrict(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows() && (File.Exists(path) || Directory.Exists(path))) File.SetUnixFileMode(path, mode);
    }

    private static void StopQuietly(LocalServer server)
    {
        try { server.Stop(); }
        catch (ShippyarException) { }
    }
}
