using ShippyarDr.Connection;

namespace ShippyarDr.Backup;

/// <summary>What Invoke-ShippyarBackup asks the engine for.</summary>
public sealed class BackupRequest
{
    public required string Database { get; init; }
    public required PgConnectionInfo Connection { get; init; }
    public BackupTier Tier { get; init; } = BackupTier.Daily;
    /// <summary>For safety backups: the backup whose restore caused this one.</summary>
    public string? ReasonBackupId { get; init; }
}
