using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Leftovers;

/// <summary>
/// Partial backups (data but no manifest) in a repository, as leftovers. The lease a run writes first says whether
/// its writer is gone (this host, a process that no longer runs); one without a lease, or whose writer may still run
/// (another host), counts as owned by a live run until it is <see cref="MayStillRun"/> old.
/// </summary>
public static class PartialBackupLeftovers
{
    public static readonly TimeSpan MayStillRun = TimeSpan.FromDays(1);

    public static IReadOnlyList<Leftover> Find(IBackupRepository repository, DateTimeOffset now)
        => Partial(repository, now).Select(p => p.Leftover).ToList();

    private static IEnumerable<(IncompleteBackup Backup, Leftover Leftover)> Partial(IBackupRepository repository, DateTimeOffset now)
        => new BackupCatalog(repository).Incomplete()
            .OrderBy(p => p.Database, StringComparer.Ordinal).ThenBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => (p, new Leftover
            {
                Kind = LeftoverKind.PartialBackup, Name = $"{p.Database}/{p.Id}", Repository = repository.Location, BackupId = p.Id,
                OwnedByLiveRun = MayBeWritten(repository, p, now),
            }));

    private static bool MayBeWritten(IBackupRepository repository, IncompleteBackup partial, DateTimeOffset now)
    {
        if (BackupLease.Read(repository, partial.Prefix) is { } lease && lease.WriterIsGone()) return false;
        return partial.StartTime is not { } start || now - start < MayStillRun;
    }

    /// <summary>Deletes a partial backup after looking it up again: never one that gained its manifest or may still be written.</summary>
    public static void Remove(IBackupRepository repository, string name, DateTimeOffset now)
    {
        var (partial, current) = Partial(repository, now).FirstOrDefault(p => p.Leftover.Name == name);
        if (partial is null)
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.LeftoverNotFound,
                $"{repository.Location} holds no partial backup {name} (it is complete, or gone).", name);
        if (current.OwnedByLiveRun)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.LeftoverInUse,
                $"Partial backup {name} in {repository.Location} may still be being written (its writer is alive, or runs elsewhere, and it started less than {MayStillRun.TotalHours:F0} hours ago); it was not deleted.", name);
        repository.DeletePrefix(partial.Prefix);
    }
}
