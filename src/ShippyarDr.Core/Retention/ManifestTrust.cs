using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Retention;

/// <summary>
/// Whether retention may lean on a backup's manifest. Its guards trust a few backups with everything: the newest of a
/// database and tier, the newest verified one, and the base backup the WAL window starts from. In a repository of
/// sealed backups a forged manifest (unsealed, or sealed with a key that is not the repository's) planted with a newer
/// time would otherwise take that place and let the real one go, so those candidates, and only they, are
/// authenticated first (with the keys at hand; a seal no key is held for counts by its presence). Checked once each.
/// </summary>
public sealed class ManifestTrust
{
    private readonly IBackupRepository? _repository;
    private readonly BackupKeys _keys;
    private readonly Dictionary<string, string?> _checked = new(StringComparer.Ordinal);

    private ManifestTrust(IBackupRepository? repository, BackupKeys keys) => (_repository, _keys) = (repository, keys);

    /// <summary>Trusts every manifest: a repository that holds no sealed backup has nothing to check them against.</summary>
    public static ManifestTrust Everything { get; } = new(null, BackupKeys.None);

    /// <summary>Checks manifests where the repository holds sealed backups (as its listing or its descriptor says);
    /// elsewhere there is nothing to check them against.</summary>
    public static ManifestTrust For(IBackupRepository repository, RepositoryContents contents, BackupKeys keys)
        => contents.HasAuthenticatedBackups || RepositoryDescriptor.Read(repository)?.Authenticated == true ? new ManifestTrust(repository, keys) : Everything;

    /// <summary>Why the manifest cannot be trusted, or null; checks it the first time it is asked.</summary>
    public string? Problem(BackupInfo backup)
    {
        if (_repository is null) return null;
        var key = backup.Prefix ?? backup.Id;
        lock (_checked)
        {
            if (_checked.TryGetValue(key, out var known)) return known;
            string? problem;
            if (backup.Authentication == ManifestAuthentication.None)
                problem = "it carries no signature or MAC, in a repository of sealed backups";
            else try
            {
                var (_, result) = BackupAuthenticator.Check(_repository, backup, _keys, keysOptional: true);
                problem = result.Passed ? null : result.Detail;
            }
            catch (ShippyarException e)
            {
                problem = e.Message;
            }
            _checked[key] = problem;
            return problem;
        }
    }

    /// <summary>What a check already found (null when it was not checked or is authentic): never checks.</summary>
    public string? Found(BackupInfo backup)
    {
        lock (_checked) return _checked.TryGetValue(backup.Prefix ?? backup.Id, out var known) ? known : null;
    }

    /// <summary>The first backup of <paramref name="ordered"/> that can be trusted, or null.</summary>
    public BackupInfo? FirstTrusted(IEnumerable<BackupInfo> ordered) => ordered.FirstOrDefault(b => Problem(b) is null);
}
