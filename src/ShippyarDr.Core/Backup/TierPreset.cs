using ShippyarDr.Compression;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Backup;

/// <summary>
/// What a tier means, from the plan: Daily — one database, zstd, cloud copies in STANDARD_IA, kept 90 days;
/// Weekly — the whole cluster, zstd, encryption required, cloud copies in GLACIER, kept a year; Safety — taken
/// before a restore replaces a database, kept 30 days; Base — a physical base backup of the whole cluster, zstd,
/// encryption optional, STANDARD (point-in-time recovery reads it back quickly, and an older one is never moved to a
/// colder class while the WAL after it is kept), kept 30 days. Every value can be overridden per call.
/// </summary>
/// MaxAge is how old the newest backup of the tier may be before status alerts: the schedule plus slack. Base backups
/// are scheduled daily (a day and two hours): each day older means a day more WAL to replay in a recovery.
public sealed record TierPreset(BackupTier Tier, bool WholeCluster, CompressionCodec Compression, bool EncryptionRequired,
    string StorageClass, string Retention, TimeSpan MaxAge, BackupKind Kind = BackupKind.Logical)
{
    public static TierPreset For(BackupTier tier) => tier switch
    {
        BackupTier.Weekly => new(tier, true, CompressionCodec.Zstd(), true, "GLACIER", "365d", TimeSpan.FromHours(7 * 24 + 2)),
        BackupTier.Safety => new(tier, false, CompressionCodec.Zstd(), false, "STANDARD", "30d", TimeSpan.MaxValue),
        BackupTier.Base => new(tier, true, CompressionCodec.Zstd(), false, "STANDARD", "30d", TimeSpan.FromHours(26), BackupKind.Physical),
        _ => new(tier, false, CompressionCodec.Zstd(), false, "STANDARD_IA", "90d", TimeSpan.FromHours(26)),
    };

    /// <summary>What one call backs up: the databases named (one backup each), or for a cluster tier the cluster, which
    /// is reached through postgres and takes no names.</summary>
    public IReadOnlyList<string> Databases(IReadOnlyList<string>? named)
    {
        if (WholeCluster && named is not null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.DatabaseNotForCluster, $"{Tier} backs up the whole cluster: name no database.", Tier.ToString());
        if (!WholeCluster && named is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.DatabaseRequired, $"{Tier} backs up one database at a time: name the databases.", Tier.ToString());
        return named ?? new[] { "postgres" };
    }

    /// <summary>The tier's compression unless another is named; a level without an algorithm means zstd.</summary>
    public CompressionCodec CompressionFor(string? name, int? level)
    {
        if (string.Equals(name, "none", StringComparison.OrdinalIgnoreCase) && level is not null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.CompressionLevelNotApplicable,
                "A compression level applies to zstd and gzip, not to none.", level.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return name is null && level is null ? Compression : CompressionCodec.Parse(name ?? "zstd", level);
    }
}
