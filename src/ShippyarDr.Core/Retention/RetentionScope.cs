namespace ShippyarDr.Retention;

/// <summary>What one retention run acts on: every database and tier unless narrowed, and how long an incomplete backup
/// folder is left alone (it may still be written, or its run may be retried).</summary>
public sealed class RetentionScope
{
    public static readonly TimeSpan DefaultIncompleteGrace = TimeSpan.FromHours(24);

    /// <summary>Only this database ("_cluster" for cluster backups and the WAL archive); null for all.</summary>
    public string? Database { get; init; }
    public BackupTier? Tier { get; init; }
    public TimeSpan IncompleteGrace { get; init; } = DefaultIncompleteGrace;

    public void Check()
    {
        if (IncompleteGrace < TimeSpan.Zero)
            throw new Diagnostics.ShippyarException(Diagnostics.ShippyarErrorKind.InvalidArgument, Diagnostics.ErrorIds.RetentionPolicyInvalid,
                $"The grace for incomplete backups is {IncompleteGrace}: it must not be negative.");
    }

    public bool Includes(string database, BackupTier? tier)
        => (Database is null || Database == database) && (Tier is null || tier is null || Tier == tier);

    /// <summary>WAL belongs to the cluster's base backups.</summary>
    public bool IncludesWal => (Database is null || Database == Backup.BackupEngine.ClusterScope) && (Tier is null or BackupTier.Base);
}
