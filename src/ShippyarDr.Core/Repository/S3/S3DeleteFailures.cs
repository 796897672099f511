using System.Globalization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// The per-key errors of DeleteObjects answers, turned into one error once every batch is done: ObjectLocked when the
/// store refused only locked objects (with until when, asked of the store), RepositoryDeleteFailed otherwise.
/// </summary>
internal sealed class S3DeleteFailures(string location)
{
    private const int Named = 10;
    // Each locked key costs one GetObjectRetention: enough to say until when, not one request per key of a huge batch.
    private const int LocksAsked = 20;
    private readonly List<(string Key, string? Code, string? Message)> _failures = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    /// <summary>One failure per key (a key's several versions may each be refused).</summary>
    public void Add(string key, string? code, string? message)
    {
        if (_keys.Add(key)) _failures.Add((key, code, message));
    }

    public void ThrowIfAny(Func<string, DateTimeOffset?> lockedUntil)
    {
        if (_failures.Count == 0) return;
        // S3 refuses a locked object version with AccessDenied, the code a missing permission has too: the store says which.
        var denied = _failures.Where(f => f.Code == "AccessDenied").ToList();
        var locks = denied.Take(LocksAsked).Select(f => (f.Key, Until: lockedUntil(f.Key))).Where(l => l.Until is not null)
            .Select(l => (l.Key, l.Until!.Value)).ToList();
        if (denied.Count == _failures.Count && locks.Count > 0)
            throw Locked(location, locks, null, _failures.Count);
        var named = string.Join("; ", _failures.Take(Named).Select(f => $"{f.Key}: {f.Code} {f.Message}".TrimEnd()));
        throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.RepositoryDeleteFailed,
            $"{_failures.Count} object(s) of {location} were not deleted: {named}{(_failures.Count > Named ? "; …" : "")}" +
            (locks.Count > 0 ? $" ({locks.Count} of them locked by S3 Object Lock, until {Format(locks.Max(l => l.Item2))} at the latest)" : ""),
            location);
    }

    /// <summary>Objects the store keeps because their Object Lock retention has not ended.</summary>
    public static ShippyarException Locked(string location, IReadOnlyList<(string Key, DateTimeOffset Until)> locks, Exception? inner, int? count = null)
    {
        var total = count ?? locks.Count;
        var last = locks.Max(l => l.Until);
        var message = total == 1
            ? $"{location}/{locks[0].Key} is locked by S3 Object Lock until {Format(locks[0].Until)} and cannot be deleted before then."
            : $"{total} objects of {location} are locked by S3 Object Lock and were not deleted; they can be deleted from {Format(last)}: " +
              string.Join(", ", locks.Take(Named).Select(l => $"{l.Key} (until {Format(l.Until)})")) + (total > Named ? ", …" : "") + ".";
        return new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ObjectLocked, message, $"{location}/{locks[0].Key}", inner);
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
