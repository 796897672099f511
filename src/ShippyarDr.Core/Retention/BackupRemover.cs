using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Verification;

namespace ShippyarDr.Retention;

/// <summary>
/// Removes one backup by hand, under the retention lock, with retention's guards: never a backup S3 Object Lock still
/// holds; without force, never the last complete backup of its database and tier, nor the newest one that passed
/// verification, nor the base backup recovery to the start of the WAL window starts from. A base backup's WAL is left
/// to retention, which knows what the remaining backups need.
/// </summary>
public sealed class BackupRemover
{
    private readonly IBackupRepository _repository;
    private readonly IOperationReporter _reporter;

    public BackupRemover(IBackupRepository repository, IOperationReporter? reporter = null)
    {
        _repository = repository;
        _reporter = reporter ?? NullReporter.Instance;
    }

    /// <summary>Why the backup may not be removed (ErrorId BackupLocked or BackupRemovalRefused), or null.</summary>
    /// <param name="keys">Authenticate the backups the guards lean on (see <see cref="ManifestTrust"/>): a forged manifest never
    /// counts as the other complete backup, the newest verified one or the WAL window's base backup.</param>
    public ShippyarException? Refusal(BackupInfo backup, bool force, DateTimeOffset now, int walWindowDays = 30, Authentication.BackupKeys? keys = null)
    {
        var contents = new BackupCatalog(_repository).Scan(backup.Database);
        var trust = ManifestTrust.For(_repository, contents, keys ?? Authentication.BackupKeys.None);
        var current = contents.Backups.FirstOrDefault(b => b.Prefix == backup.Prefix && b.Id == backup.Id)
                      ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.BackupNotFound,
                          $"No complete backup {backup.Id} of {backup.Database} in {_repository.Location}: nothing to remove.", backup.Id);
        if (current.ObjectLockUntil is { } until && until > now)
            return new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.BackupLocked,
                $"Backup {backup.Id} of {backup.Database} is under S3 Object Lock until {until:u}: it cannot be deleted before then, and was not.", backup.Id);
        if (force) return null;
        var tier = contents.Backups.Where(b => b.Database == current.Database && b.Tier == current.Tier).ToList();
        if (!tier.Where(b => b.Prefix != current.Prefix).OrderByDescending(b => b.EndTime).Any(b => trust.Problem(b) is null))
            return new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.BackupRemovalRefused,
                $"Backup {backup.Id} is the only complete {current.Tier} backup of {current.Database} in {_repository.Location} (that is authentic): removing it would leave the tier without one. It was not removed; force the removal to remove it anyway.", backup.Id);
        var windowStart = now.AddDays(-walWindowDays);
        if (current.Kind == BackupKind.Physical && current.EndTime <= windowStart
            && trust.FirstTrusted(tier.Where(b => b.SystemIdentifier == current.SystemIdentifier && b.EndTime <= windowStart)
                .OrderByDescending(b => b.EndTime).ThenByDescending(b => b.Id, StringComparer.Ordinal))?.Prefix == current.Prefix)
            return new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.BackupRemovalRefused,
                $"Base backup {backup.Id} is the newest that ended before the start of the {walWindowDays}-day WAL window: recovery to the window's first points starts from it. It was not removed; force the removal to remove it anyway.", backup.Id);
        var records = VerificationRecords.Newest(_repository, tier, _reporter);
        var newestVerified = trust.FirstTrusted(tier.OrderByDescending(b => b.EndTime).ThenByDescending(b => b.Id, StringComparer.Ordinal)
            .Where(b => records.TryGetValue(b.Prefix!, out var r) && r.Passed));
        if (newestVerified is not null && newestVerified.Prefix == current.Prefix)
            return new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.BackupRemovalRefused,
                $"Backup {backup.Id} is the newest {current.Tier} backup of {current.Database} that passed verification: it was not removed; force the removal to remove it anyway.", backup.Id);
        return null;
    }

    /// <summary>Removes the backup (manifest first), looked up again under the lock; throws the refusal.</summary>
    public RetentionDecision Remove(BackupInfo backup, bool force, TimeSpan? lockWait = null, int walWindowDays = 30, Authentication.BackupKeys? keys = null,
        CancellationToken cancel = default)
    {
        using var held = RetentionLock.Acquire(_repository, lockWait, cancel);
        var now = DateTimeOffset.UtcNow;
        if (Refusal(backup, force, now, walWindowDays, keys) is { } refusal) throw refusal;
        if (RetentionInventory.LeaseOf(_repository, backup.Prefix!) == LeaseState.WriterAlive)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.BackupRemovalRefused,
                $"A live writer holds a lease in the folder of backup {backup.Id}: it was not removed.", backup.Id);
        RetentionRunner.RemoveBackupFolder(_repository, backup.Prefix!);
        _reporter.Verbose($"Removed backup {backup.Id} of {backup.Database} from {_repository.Location}.");
        return new RetentionDecision
        {
            Subject = RetentionSubject.Backup, Action = RetentionAction.Removed, Reason = force ? "removed by hand (forced)" : "removed by hand",
            Repository = _repository.Location, Id = backup.Id, Database = backup.Database, Tier = backup.Tier, StartTime = backup.StartTime, EndTime = backup.EndTime,
            Size = backup.Size, StorageClass = backup.StorageClass, Prefix = backup.Prefix,
        };
    }
}
