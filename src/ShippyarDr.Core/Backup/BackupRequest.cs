using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
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
    public StorageOptions Storage { get; init; } = new();
    /// <summary>Overrides the tier's retention label and cloud storage class.</summary>
    public string? Retention { get; init; }
    public string? StorageClass { get; init; }
    /// <summary>Signs the manifest (required when encrypting to public keys: anybody holding them could forge one).</summary>
    public Authentication.SigningKey? Signing { get; init; }
    /// <summary>Base backups: how the starting checkpoint runs; null is <see cref="CheckpointMode.Spread"/>. Logical tiers take none.</summary>
    public CheckpointMode? Checkpoint { get; init; }
    /// <summary>
    /// S3 Object Lock: every object of the backup (data, chunk digests, seals, manifest) is stored locked for this many
    /// days from the backup's start, and the manifest records until when (<see cref="BackupInfo.ObjectLockUntil"/>).
    /// Null: not locked. A repository that cannot lock objects refuses the backup.
    /// </summary>
    public int? ObjectLockDays { get; init; }
    /// <summary>The lock's mode; Compliance (the default) cannot be lifted by anybody, Governance by those allowed to bypass it.</summary>
    public Repository.ObjectLockMode ObjectLockMode { get; init; } = Repository.ObjectLockMode.Compliance;
    /// <summary>For safety backups: the backup whose restore caused this one.</summary>
    public string? ReasonBackupId { get; init; }

    /// <summary>
    /// How long pg_dump may wait for the shared lock on each table before it fails (its --lock-wait-timeout);
    /// zero waits as long as it takes.
    /// </summary>
    public TimeSpan LockWaitTimeout
    {
        get => _lockWaitTimeout;
        init => _lockWaitTimeout = value >= TimeSpan.Zero ? value
            : throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidLockWaitTimeout, $"The lock wait timeout must not be negative (got {value}).");
    }
    private readonly TimeSpan _lockWaitTimeout = DefaultLockWaitTimeout;

    /// <summary>
    /// Five minutes. pg_dump waits only behind an exclusive lock (ALTER TABLE, VACUUM FULL, an explicit LOCK, often a
    /// session left idle in its transaction), and while it waits it holds its snapshot and the locks it already has,
    /// so the DDL queued behind it waits too. A routine migration finishes within minutes; a lock held longer is
    /// stuck, and a backup that fails then leaves time in the window to act and run it again, where waiting all
    /// night leaves no backup and a blocked database.
    /// </summary>
    public static readonly TimeSpan DefaultLockWaitTimeout = TimeSpan.FromMinutes(5);
}
