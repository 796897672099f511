using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>
/// A repository that remembers the objects this run created in it, so a failed run removes exactly those: never an
/// object another run wrote, even one under the same key (two backups with the same id, a concurrent copy).
/// </summary>
internal sealed class RecordingRepository : IBackupRepository
{
    private readonly IBackupRepository _inner;
    private readonly List<string> _created = new();

    public RecordingRepository(IBackupRepository inner) => _inner = inner;

    public IBackupRepository Inner => _inner;
    public string Location => _inner.Location;

    public Stream Create(string key)
    {
        var stream = _inner.Create(key);
        lock (_created) _created.Add(key);
        return stream;
    }

    public void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false)
    {
        _inner.WriteAtomically(key, content, replace);
        // A replaced object (the descriptor) was not ours alone: never removed.
        if (!replace) lock (_created) _created.Add(key);
    }

    public IPendingObject CreateAtomically(string key)
    {
        var pending = _inner.CreateAtomically(key);
        lock (_created) _created.Add(key);
        return pending;
    }

    public IEnumerable<string> ListStartingWith(string folder, string namePrefix) => _inner.ListStartingWith(folder, namePrefix);
    public Stream OpenRead(string key) => _inner.OpenRead(key);
    public bool Exists(string key) => _inner.Exists(key);
    public IEnumerable<string> List(string prefix) => _inner.List(prefix);
    public IEnumerable<string> ListChildren(string prefix) => _inner.ListChildren(prefix);
    public void Delete(string key) => _inner.Delete(key);
    public void DeletePrefix(string prefix) => _inner.DeletePrefix(prefix);
    public void DeleteMany(IEnumerable<string> keys) => _inner.DeleteMany(keys);
    public DateTimeOffset? LockedUntil(string key) => _inner.LockedUntil(key);

    /// <summary>Removes what this run created, newest first (one at a time: a manifest never outlives its data); returns why
    /// it could not, or null. Objects the store keeps locked (S3 Object Lock) are named with until when they stay.</summary>
    public string? DeleteCreated()
    {
        List<string> keys;
        lock (_created) keys = _created.AsEnumerable().Reverse().ToList();
        string? problem = null;
        var locked = new List<(string Key, DateTimeOffset Until)>();
        foreach (var key in keys)
        {
            try { _inner.Delete(key); }
            catch (ShippyarException e) when (e.ErrorId == ErrorIds.ObjectLocked) { locked.Add((key, _inner.LockedUntil(key) ?? DateTimeOffset.MaxValue)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ShippyarException) { problem ??= e.Message; }
        }
        lock (_created) _created.Clear();
        if (locked.Count == 0) return problem;
        var until = locked.Max(l => l.Until);
        var lockedText = $"{locked.Count} object(s) are locked by S3 Object Lock and stay until {until.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z " +
            $"(no manifest names them; delete them then): {string.Join(", ", locked.Take(10).Select(l => l.Key))}{(locked.Count > 10 ? ", …" : "")}.";
        return problem is null ? lockedText : $"{problem} {lockedText}";
    }

    /// <summary>Forgets what was created: the backup is complete and what it wrote stays.</summary>
    public void Keep()
    {
        lock (_created) _created.Clear();
    }
}
