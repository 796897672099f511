using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>Reads the backups of a repository from their manifests.</summary>
public sealed class BackupCatalog
{
    private readonly IBackupRepository _repository;

    public BackupCatalog(IBackupRepository repository) => _repository = repository;

    /// <summary>Every complete backup, newest first. Unreadable manifests are reported, not skipped silently.</summary>
    public IReadOnlyList<BackupInfo> List(string? database = null, IOperationReporter? reporter = null)
    {
        var list = new List<BackupInfo>();
        foreach (var key in _repository.List(database is null ? "" : database + "/"))
        {
            var parsed = BackupLayout.Parse(key);
            if (parsed is null || parsed.Value.File != BackupLayout.ManifestName) continue;
            try
            {
                list.Add(Read(key));
            }
            catch (ShippyarException e) when (e.ErrorId == "ManifestCorrupt")
            {
                (reporter ?? NullReporter.Instance).Warning(e.Message);
            }
        }
        return list.OrderByDescending(b => b.EndTime).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
    }

    public BackupInfo Get(string id, string? database = null)
    {
        var match = List(database).Where(b => b.Id.Equals(id, StringComparison.OrdinalIgnoreCase)).ToList();
        return match.Count switch
        {
            1 => match[0],
            0 => throw UnreadableManifest(id, database) ?? new ShippyarException(ShippyarErrorKind.ObjectNotFound, "BackupNotFound",
                $"No complete backup with id '{id}' in repository {_repository.Location}.", id),
            _ => throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "BackupIdAmbiguous",
                $"Backup id '{id}' exists for several databases in {_repository.Location}; add -Database.", id),
        };
    }

    /// <summary>The ManifestCorrupt error of backup <paramref name="id"/>, when its manifest exists but cannot be read.</summary>
    private ShippyarException? UnreadableManifest(string id, string? database)
    {
        foreach (var key in _repository.List(database is null ? "" : database + "/"))
        {
            if (BackupLayout.Parse(key) is not { } p || p.File != BackupLayout.ManifestName || !p.Id.Equals(id, StringComparison.OrdinalIgnoreCase)) continue;
            try { Read(key); }
            catch (ShippyarException e) when (e.ErrorId == "ManifestCorrupt") { return e; }
        }
        return null;
    }

    /// <summary>Backup directories holding data but no manifest: interrupted, failed, or still being written.</summary>
    public IReadOnlyList<(string Database, string Id)> Incomplete(string? database = null)
    {
        return _repository.List(database is null ? "" : database + "/")
            .Select(BackupLayout.Parse).OfType<(string Database, string Id, string File)>()
            .GroupBy(p => (p.Database, p.Id))
            .Where(g => g.All(p => p.File != BackupLayout.ManifestName))
            .Select(g => g.Key).ToList();
    }

    public void Save(BackupInfo info)
    {
        _repository.WriteAtomically(BackupLayout.ManifestKey(info.Database, info.Id), ManifestSerializer.Serialize(info));
    }

    private BackupInfo Read(string key)
    {
        using var s = _repository.OpenRead(key);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        var info = ManifestSerializer.Deserialize(ms.ToArray(), $"{_repository.Location}/{key}");
        info.Repository = _repository.Location;
        return info;
    }
}
