using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>What a scan of a repository found: complete backups, manifests that cannot be trusted to describe their
/// folder (unreadable, or naming files or places outside it), and folders with data but no manifest.</summary>
public sealed class RepositoryContents
{
    public List<BackupInfo> Backups { get; } = new();
    public List<UnreadableBackup> Unreadable { get; } = new();
    public List<IncompleteBackup> Incomplete { get; } = new();
    /// <summary>Some backup folder holds a signature or a MAC: the repository holds authenticated backups.</summary>
    public bool HasAuthenticatedBackups { get; set; }
}

/// <summary>A backup folder whose manifest exists but cannot be used; the error says why.</summary>
public sealed record UnreadableBackup(string Id, string Database, bool IsCluster, string Prefix, ShippyarException Error)
{
    public BackupTier? Tier => Backup.BackupId.TierOf(Id);
}
