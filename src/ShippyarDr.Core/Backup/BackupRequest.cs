using ShippyarDr.Connection;
using ShippyarDr.Pipeline;

namespace ShippyarDr.Backup;

/// <summary>What Invoke-ShippyarBackup asks the engine for.</summary>
public sealed class BackupRequest
{
    /// <summary>The database to back up; for cluster backups, the one to connect to first (default postgres).</summary>
    public string Database { get; init; } = "postgres";
    public required PgConnectionInfo Connection { get; init; }
    public BackupTier Tier { get; init; } = BackupTier.Daily;
    /// <summary>Compression and encryption of the stored objects.</summary>
    public ArchiveWriteOptions Storage { get; init; } = new();
    /// <summary>Overrides the tier's retention label and cloud storage class.</summary>
    public string? Retention { get; init; }
    public string? StorageClass { get; init; }
    /// <summary>Signs the manifest (required when encrypting to public keys: anybody holding them could forge one).</summary>
    public Authentication.SigningKey? Signing { get; init; }
    /// <summary>For safety backups: the backup whose restore caused this one.</summary>
    public string? ReasonBackupId { get; init; }
}
