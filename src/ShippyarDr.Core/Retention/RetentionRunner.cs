using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Retention;

/// <summary>
/// Carries out a retention plan under the repository's retention lock. Each removal is looked up again first: a
/// backup must still be complete, unlocked and without a live writer; an incomplete folder must still lack its
/// manifest and a live lease. A backup's manifest goes first, then its seals, then the rest of its folder (an
/// interrupted deletion leaves an incomplete folder, never something that looks complete but is not), then its
/// verification records. WAL goes manifests first, then data. One failure fails only its decision.
/// </summary>
public sealed class RetentionRunner
{
    private readonly IBackupRepository _repository;
    private readonly IOperationReporter _reporter;

    public RetentionRunner(IBackupRepository repository, IOperationReporter? reporter = null)
    {
        _repository = repository;
        _reporter = reporter ?? NullReporter.Instance;
    }

    /// <summary>The plan alone, with no lock taken and nothing written (a dry run).</summary>
    public List<RetentionDecision> Preview(RetentionPolicy policy, RetentionScope scope, BackupKeys? keys = null, DateTimeOffset? now = null)
        => RetentionPlanner.Plan(RetentionInventory.Load(_repository, keys, _reporter), policy, scope, now ?? DateTimeOffset.UtcNow);

    /// <summary>Plans under the lock and removes what the plan says, asking <paramref name="approve"/> (ShouldProcess)
    /// for each removal; a decision not approved comes back as WouldRemove.</summary>
    public List<RetentionDecision> Run(RetentionPolicy policy, RetentionScope scope, Func<RetentionDecision, bool> approve, BackupKeys? keys = null,
        TimeSpan? lockWait = null, DateTimeOffset? now = null, CancellationToken cancel = default)
    {
        using var held = RetentionLock.Acquire(_repository, lockWait, cancel);
        var at = now ?? DateTimeOffset.UtcNow;
        var plan = RetentionPlanner.Plan(RetentionInventory.Load(_repository, keys, _reporter), policy, scope, at);
        var results = new List<RetentionDecision>();
        var removals = plan.Count(d => d.Action == RetentionAction.Remove);
        var done = 0;
        foreach (var decision in plan.OrderBy(d => d.Subject))
        {
            if (decision.Action != RetentionAction.Remove)
            {
                results.Add(decision);
                continue;
            }
            cancel.ThrowIfCancellationRequested();
            if (!approve(decision))
            {
                results.Add(decision.With(RetentionAction.WouldRemove));
                continue;
            }
            _reporter.Progress("Retention", $"{decision.Subject} {decision.Database}/{decision.Id}", removals == 0 ? 100 : done++ * 100 / removals);
            results.Add(Execute(decision, at));
        }
        return results;
    }

    private RetentionDecision Execute(RetentionDecision decision, DateTimeOffset now)
    {
        try
        {
            switch (decision.Subject)
            {
                case RetentionSubject.Backup:
                    if (Recheck(decision, now) is { } why) return Skip(decision, why);
                    RemoveBackupFolder(_repository, decision.Prefix!);
                    break;
                case RetentionSubject.IncompleteBackup:
                    if (_repository.Exists(decision.Prefix + BackupLayout.ManifestName)) return Skip(decision, "it has become complete (its manifest appeared)");
                    if (RetentionInventory.LeaseOf(_repository, decision.Prefix!) == LeaseState.WriterAlive) return Skip(decision, "a live writer holds its lease now");
                    _repository.DeletePrefix(decision.Prefix!);
                    break;
                case RetentionSubject.WalSegments or RetentionSubject.WalHistory:
                    // In batches (one request per 1,000 keys on S3), manifests first: an interrupted run leaves
                    // unlisted data, never a manifest whose data is gone.
                    _repository.DeleteMany(decision.Keys.Where(k => k.EndsWith(Wal.WalLayout.ManifestSuffix, StringComparison.Ordinal)).ToList());
                    _repository.DeleteMany(decision.Keys.Where(k => !k.EndsWith(Wal.WalLayout.ManifestSuffix, StringComparison.Ordinal)).ToList());
                    break;
                default:
                    return Skip(decision, "retention removes no such thing");
            }
            _reporter.Verbose($"Removed {decision.Subject} {decision.Database}/{decision.Id} from {_repository.Location}: {decision.Reason}.");
            return decision.With(RetentionAction.Removed);
        }
        catch (Exception e) when (e is ShippyarException or IOException or UnauthorizedAccessException)
        {
            _reporter.Warning($"Could not remove {decision.Subject} {decision.Database}/{decision.Id} from {_repository.Location}: {e.Message}");
            return decision.With(RetentionAction.Failed, e.Message);
        }
    }

    /// <summary>Why a backup planned for removal must not go now, or null.</summary>
    private string? Recheck(RetentionDecision decision, DateTimeOffset now)
    {
        if (!_repository.Exists(decision.Prefix + BackupLayout.ManifestName)) return "its manifest is gone already";
        if (RetentionInventory.LeaseOf(_repository, decision.Prefix!) == LeaseState.WriterAlive) return "a live writer holds a lease in its folder";
        BackupInfo current;
        try
        {
            current = ManifestSerializer.Deserialize(_repository.ReadAllBytes(decision.Prefix + BackupLayout.ManifestName), decision.Prefix!);
        }
        catch (ShippyarException e)
        {
            return $"its manifest cannot be read now ({e.Message})";
        }
        if (current.Id != decision.Id) return $"its folder now holds backup {current.Id}";
        if (current.ObjectLockUntil is { } until && until > now) return $"S3 Object Lock holds it until {until:u}";
        return null;
    }

    private RetentionDecision Skip(RetentionDecision decision, string why)
    {
        _reporter.Warning($"{decision.Subject} {decision.Database}/{decision.Id} was not removed: {why}.");
        return decision.With(RetentionAction.Skipped, why);
    }

    /// <summary>Deletes a backup folder manifest first, then its seals, then the rest, then its verification records.</summary>
    internal static void RemoveBackupFolder(IBackupRepository repository, string prefix)
    {
        repository.Delete(prefix + BackupLayout.ManifestName);
        repository.Delete(prefix + BackupLayout.SignatureName);
        repository.Delete(prefix + BackupLayout.MacName);
        repository.DeletePrefix(prefix);
        repository.DeletePrefix(BackupLayout.VerificationPrefix(prefix));
    }
}
