using ShippyarDr.Backup;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>
/// Reads the backups of a repository from their manifests, in both layouts (see <see cref="BackupLayout"/>). Every
/// manifest is checked against the folder it was found in (its id, its database, the files it names), so one cannot
/// lead a reader to another backup's objects or out of the repository; one that fails is reported, never skipped
/// silently. Entries the catalog did not write (lost+found, stray files) are passed over.
/// </summary>
public sealed class BackupCatalog
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
        { BackupLayout.BackupRoot, BackupLayout.WalRoot, BackupLayout.AuditRoot, BackupLayout.VerificationRoot, BackupLayout.RetentionRoot, BackupLayout.DescriptorName, "lost+found/" };
    private readonly IBackupRepository _repository;

    public BackupCatalog(IBackupRepository repository) => _repository = repository;

    /// <summary>Every complete backup, newest first. Unusable manifests are reported as warnings.</summary>
    public IReadOnlyList<BackupInfo> List(string? database = null, IOperationReporter? reporter = null)
    {
        var contents = Scan(database);
        foreach (var unreadable in contents.Unreadable) (reporter ?? NullReporter.Instance).Warning(unreadable.Error.Message);
        return contents.Backups;
    }

    /// <summary>The whole picture: complete backups (newest first), unusable manifests and incomplete folders.</summary>
    public RepositoryContents Scan(string? database = null)
    {
        var contents = new RepositoryContents();
        foreach (var folder in Keys(database).GroupBy(k => k.Prefix, StringComparer.Ordinal))
        {
            var first = folder.First();
            var files = folder.Select(k => k.File).ToHashSet(StringComparer.Ordinal);
            var scope = first.Database ?? BackupEngine.ClusterScope;
            if (files.Contains(BackupLayout.SignatureName) || files.Contains(BackupLayout.MacName)) contents.HasAuthenticatedBackups = true;
            if (!files.Contains(BackupLayout.ManifestName))
            {
                contents.Incomplete.Add(Incomplete(first, scope, files.Count));
                continue;
            }
            try
            {
                contents.Backups.Add(Read(first, files));
            }
            catch (ShippyarException e) when (e.Kind is ShippyarErrorKind.InvalidData or ShippyarErrorKind.ObjectNotFound)
            {
                contents.Unreadable.Add(new UnreadableBackup(first.Id, scope, first.IsCluster, first.Prefix, e));
            }
        }
        contents.Backups.Sort((a, b) => b.EndTime != a.EndTime ? b.EndTime.CompareTo(a.EndTime) : string.CompareOrdinal(b.Id, a.Id));
        return contents;
    }

    /// <summary>The newest of each database and tier, newest first: what "the latest backups" means to status, drills and retention.</summary>
    public static IReadOnlyList<BackupInfo> LatestOfEach(IEnumerable<BackupInfo> backups)
        => backups.GroupBy(b => (b.Database, b.Tier)).Select(g => g.OrderByDescending(b => b.EndTime).ThenByDescending(b => b.Id, StringComparer.Ordinal).First())
            .OrderByDescending(b => b.EndTime).ToList();

    /// <summary>One backup by id. A backup whose manifest cannot be used says so, rather than "not found".</summary>
    public BackupInfo Get(string id, string? database = null)
    {
        var contents = Scan(database);
        var match = contents.Backups.Where(b => b.Id.Equals(id, StringComparison.OrdinalIgnoreCase)).ToList();
        if (match.Count == 0 && contents.Unreadable.FirstOrDefault(u => u.Id.Equals(id, StringComparison.OrdinalIgnoreCase)) is { } broken)
            throw broken.Error;
        return match.Count switch
        {
            1 => match[0],
            0 => throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.BackupNotFound,
                $"No complete backup with id '{id}' in repository {_repository.Location}.", id),
            _ => throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.BackupIdAmbiguous,
                $"Backup id '{id}' exists for several databases in {_repository.Location}; name the database too.", id),
        };
    }

    /// <summary>Backup folders holding data but no manifest: interrupted, failed, or still being written.</summary>
    public IReadOnlyList<IncompleteBackup> Incomplete(string? database = null) => Scan(database).Incomplete;

    /// <summary>The manifest's bytes exactly as stored (what a signature or MAC covers).</summary>
    public byte[] ReadManifestBytes(BackupInfo backup) => _repository.ReadAllBytes(BackupLayout.Key(backup, BackupLayout.ManifestName));

    /// <summary>
    /// Publishes a backup whose objects are all stored: its seals (signature, MAC) first, the descriptor's record of
    /// it, then the manifest, which makes it complete. The manifest's bytes are given, not re-serialized, so what was
    /// signed is what is stored (a copy writes the source's bytes verbatim).
    /// </summary>
    public void Save(BackupInfo info, byte[] manifest, IReadOnlyList<(string Name, byte[] Content)> seals)
    {
        foreach (var (name, content) in seals) _repository.WriteAtomically(BackupLayout.Key(info, name), content);
        RepositoryDescriptor.Record(_repository, info.SystemIdentifier, authenticated: seals.Count > 0);
        _repository.WriteAtomically(BackupLayout.Key(info, BackupLayout.ManifestName), manifest);
    }

    /// <summary>Publishes an unsealed manifest for <paramref name="info"/> (synthetic histories, tools); backups are saved with their seals.</summary>
    public void Save(BackupInfo info) => Save(info, ManifestSerializer.Serialize(info), Array.Empty<(string, byte[])>());

    private IEnumerable<BackupKey> Keys(string? database)
    {
        var children = _repository.ListChildren("").ToList();
        if (children.Contains(BackupLayout.BackupRoot))
        {
            var prefixes = database is null ? new[] { BackupLayout.BackupRoot }
                : database == BackupEngine.ClusterScope ? new[] { BackupLayout.DatabasePrefix(database), BackupLayout.ClusterPrefix }
                : DatabaseName.IsValid(database) ? new[] { BackupLayout.DatabasePrefix(database) } : Array.Empty<string>();
            foreach (var prefix in prefixes)
                foreach (var key in _repository.List(prefix))
                    if (BackupLayout.Parse(key) is { } parsed && (database is null || (parsed.Database ?? BackupEngine.ClusterScope) == database))
                        yield return parsed;
            // A format 1 database named "backup" shares the folder.
            if (database is null or "backup")
                foreach (var child in _repository.ListChildren(BackupLayout.BackupRoot).Where(c => BackupId.IsValid(c.TrimEnd('/'))))
                    foreach (var key in _repository.List(BackupLayout.BackupRoot + child))
                        if (BackupLayout.ParseLegacy(key) is { } parsed) yield return parsed;
        }
        // Format 1: database folders at the root.
        foreach (var child in children.Where(c => c.EndsWith('/') && !Reserved.Contains(c) && !c.StartsWith('.')))
        {
            if (database is not null && child != database.Split('/')[0] + "/" && !(database == "." && BackupId.IsValid(child.TrimEnd('/')))) continue;
            foreach (var key in _repository.List(child))
                if (BackupLayout.ParseLegacy(key) is { } parsed && (database is null || (parsed.Database ?? BackupEngine.ClusterScope) == database))
                    yield return parsed;
        }
    }

    private BackupInfo Read(BackupKey key, IReadOnlySet<string> files)
    {
        var authentication = (files.Contains(BackupLayout.SignatureName) ? ManifestAuthentication.Signature : 0)
                              | (files.Contains(BackupLayout.MacName) ? ManifestAuthentication.Mac : 0);
        return Parse(key, _repository.ReadAllBytes(key.Prefix + BackupLayout.ManifestName), authentication);
    }

    /// <summary>The backup a manifest's bytes describe, checked against the folder <paramref name="found"/> was read from.</summary>
    internal BackupInfo FromBytes(BackupInfo found, byte[] manifest)
    {
        var key = BackupLayout.Parse(found.Prefix + BackupLayout.ManifestName) ?? BackupLayout.ParseLegacy(found.Prefix + BackupLayout.ManifestName)
                  ?? throw new ArgumentException($"'{found.Prefix}' is not a backup folder.", nameof(found));
        return Parse(key, manifest, found.Authentication);
    }

    private BackupInfo Parse(BackupKey key, byte[] manifest, ManifestAuthentication authentication)
    {
        var where = $"{_repository.Location}/{key.Prefix}{BackupLayout.ManifestName}";
        var info = ManifestSerializer.Deserialize(manifest, where);
        ManifestRules.Check(info, key, where);
        info.Repository = _repository.Location;
        info.Prefix = key.Prefix;
        info.Authentication = authentication;
        return info;
    }

    private IncompleteBackup Incomplete(BackupKey key, string scope, int fileCount)
    {
        var lease = BackupLease.Read(_repository, key.Prefix);
        return new IncompleteBackup
        {
            Repository = _repository.Location, Id = key.Id, Database = scope, IsCluster = key.IsCluster, Tier = BackupId.TierOf(key.Id),
            StartTime = BackupId.StartOf(key.Id), FileCount = fileCount, Host = lease?.Host, ProcessId = lease?.ProcessId, Prefix = key.Prefix,
        };
    }
}
