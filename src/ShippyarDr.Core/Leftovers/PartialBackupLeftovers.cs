using System.Globalization;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Leftovers;

/// <summary>
/// Partial backups (data but no manifest) in a repository, as leftovers. Nothing in a repository says yet whether a
/// backup is still being written, so one whose id says it started within <see cref="MayStillRun"/> counts as owned
/// by a live run. Kept to the catalog's public calls, apart from the server's leftovers, for the repository layout
/// and its leases to change under it.
/// </summary>
public static class PartialBackupLeftovers
{
    public static readonly TimeSpan MayStillRun = TimeSpan.FromDays(1);

    public static IReadOnlyList<Leftover> Find(IBackupRepository repository, DateTimeOffset now)
        => new BackupCatalog(repository).Incomplete()
            .OrderBy(p => p.Database, StringComparer.Ordinal).ThenBy(p => p.Id, StringComparer.Ordinal)
            .Select(p => new Leftover
            {
                Kind = LeftoverKind.PartialBackup, Name = $"{p.Database}/{p.Id}", Repository = repository.Location, BackupId = p.Id,
                OwnedByLiveRun = StartOf(p.Id) is { } start && now - start < MayStillRun,
            }).ToList();

    /// <summary>Deletes a partial backup after looking it up again: never one that gained its manifest or may still be written.</summary>
    public static void Remove(IBackupRepository repository, string name, DateTimeOffset now)
    {
        var current = Find(repository, now).FirstOrDefault(l => l.Name == name)
            ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, "LeftoverNotFound",
                $"{repository.Location} holds no partial backup {name} (it is complete, or gone).", name);
        if (current.OwnedByLiveRun)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, "LeftoverInUse",
                $"Partial backup {name} in {repository.Location} started less than {MayStillRun.TotalHours:F0} hours ago and may still be being written; it was not deleted.", name);
        var slash = name.LastIndexOf('/');
        repository.DeletePrefix(BackupLayout.Prefix(name[..slash], name[(slash + 1)..]));
    }

    /// <summary>When a backup started, from its id ("20261125-040512D-7f3a"); null for ids of another shape.</summary>
    private static DateTimeOffset? StartOf(string id)
        => id.Length >= 15 && DateTimeOffset.TryParseExact(id[..15], "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start) ? start : null;
}
