using ShippyarDr.Authentication;
using ShippyarDr.Backup;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Verification;
using ShippyarDr.Wal;

namespace ShippyarDr.Retention;

/// <summary>Whose an incomplete backup folder is, by its lease.</summary>
public enum LeaseState
{
    /// <summary>No readable lease.</summary>
    None,
    /// <summary>The writer was on this host and is gone.</summary>
    WriterGone,
    /// <summary>The writer runs on this host now.</summary>
    WriterAlive,
    /// <summary>The writer was on another host: whether it still runs cannot be told from here.</summary>
    Elsewhere,
}

/// <summary>An incomplete backup folder and the state of its lease.</summary>
public sealed record IncompleteFolder(IncompleteBackup Backup, LeaseState Lease);

/// <summary>One archived WAL file (segment, .partial, .backup or .history) and its objects: the manifests count, data without one is a dead push's.</summary>
public sealed record WalArchivedFile(WalFileName Name, IReadOnlyList<string> ManifestKeys, IReadOnlyList<string> DataKeys);

/// <summary>The files of one cluster's WAL archive, and the parsed history files (null when they could not be read).</summary>
public sealed class WalArchiveFiles
{
    public string SystemIdentifier { get; init; } = "";
    public int WalSegmentSize { get; init; }
    public List<WalArchivedFile> Files { get; init; } = new();
    public Dictionary<uint, IReadOnlyList<WalTimelineSwitch>>? Histories { get; init; }
}

/// <summary>
/// Everything retention judges, read from a repository in one pass (the planner itself reads nothing): the catalog's
/// scan, the leases of incomplete folders, the verification records, and the WAL archives' files with their history.
/// </summary>
public sealed class RetentionInventory
{
    public string Repository { get; init; } = "";
    /// <summary>Whether storage classes apply (S3): only there is an early-deletion charge computed.</summary>
    public bool ColdStorageApplies { get; init; }
    public List<BackupInfo> Backups { get; init; } = new();
    public List<UnreadableBackup> Unreadable { get; init; } = new();
    public List<IncompleteFolder> Incomplete { get; init; } = new();
    /// <summary>The newest verification record of each backup, by the backup's folder.</summary>
    public IReadOnlyDictionary<string, VerificationRecord> Verifications { get; init; } = new Dictionary<string, VerificationRecord>();
    public List<WalArchiveFiles> Archives { get; init; } = new();
    /// <summary>Authenticates the manifests the guards lean on (see <see cref="ManifestTrust"/>).</summary>
    public ManifestTrust Trust { get; init; } = ManifestTrust.Everything;

    public static RetentionInventory Load(IBackupRepository repository, BackupKeys? keys = null, IOperationReporter? reporter = null)
    {
        var contents = new BackupCatalog(repository).Scan();
        return new RetentionInventory
        {
            Repository = repository.Location, ColdStorageApplies = ShippyarDr.Repository.S3.S3Location.IsS3(repository.Location),
            Backups = contents.Backups, Unreadable = contents.Unreadable,
            Incomplete = contents.Incomplete.Select(i => new IncompleteFolder(i, LeaseOf(repository, i.Prefix))).ToList(),
            Verifications = VerificationRecords.Newest(repository, contents.Backups, reporter),
            Trust = ManifestTrust.For(repository, contents, keys ?? BackupKeys.None),
            Archives = WalArchiveRecords.SystemIdentifiers(repository).Select(id => Archive(repository, id, keys ?? BackupKeys.None, reporter)).Where(a => a is not null).Select(a => a!).ToList(),
        };
    }

    public static LeaseState LeaseOf(IBackupRepository repository, string prefix)
        => BackupLease.Read(repository, prefix) is not { } lease ? LeaseState.None
            : !string.Equals(lease.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) ? LeaseState.Elsewhere
            : lease.WriterIsGone() ? LeaseState.WriterGone : LeaseState.WriterAlive;

    private static WalArchiveFiles? Archive(IBackupRepository repository, string systemIdentifier, BackupKeys keys, IOperationReporter? reporter)
    {
        if (WalArchiveRecords.Read(repository, systemIdentifier) is not { } record) return null;
        var files = repository.List(WalLayout.ArchivePrefix(systemIdentifier)).Select(WalLayout.Parse).Where(k => k is not null).Select(k => k!)
            .GroupBy(k => k.Name)
            .Select(g => new WalArchivedFile(g.Key, g.Where(k => k.IsManifest).Select(k => k.Key).ToList(), g.Where(k => !k.IsManifest).Select(k => k.Key).ToList()))
            .ToList();
        var cluster = new ClusterIdentity(systemIdentifier, record.PostgresMajorVersion, record.WalSegmentSize);
        Dictionary<uint, IReadOnlyList<WalTimelineSwitch>>? histories = new();
        foreach (var history in files.Where(f => f.Name.Kind == WalFileKind.History && f.ManifestKeys.Count > 0))
        {
            try
            {
                if (new WalFetcher(repository, reporter).ReadFile(cluster, history.Name, keys) is { } content) histories[history.Name.Timeline] = WalTimelineSwitch.Parse(content);
                else { histories = null; break; }
            }
            catch (ShippyarException e)
            {
                reporter?.Warning($"History file {history.Name.Name} of cluster {systemIdentifier} cannot be read ({e.Message}): every history file of that archive is kept.");
                histories = null;
                break;
            }
        }
        return new WalArchiveFiles { SystemIdentifier = systemIdentifier, WalSegmentSize = record.WalSegmentSize, Files = files, Histories = histories };
    }
}
