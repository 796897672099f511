using ShippyarDr.Connection;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Backup;

/// <summary>What Invoke-ShippyarBackup asks the engine for.</summary>
public sealed class BackupRequest
{
    public required string Database { get; init; }
    public required PgConnectionInfo Connection { get; init; }
    public BackupTier Tier { get; init; } = BackupTier.Daily;
    /// <summary>Compression and encryption of the stored objects.</summary>
    public ArchiveWriteOptions Storage { get; init; } = new();
    /// <summary>For safety backups: the backup whose restore caused this one.</summary>
    public string? ReasonBackupId { get; init; }
}
