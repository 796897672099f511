using ShippyarDr.Compression;

namespace ShippyarDr.Backup;

/// <summary>
/// What a tier means, from the plan: Daily — one database, zstd, cloud copies in STANDARD_IA, kept 90 days;
/// Weekly — the whole cluster, zstd, encryption required, cloud copies in GLACIER, kept a year; Safety — taken
/// before a restore replaces a database, kept 30 days. Every value can be overridden per call.
/// </summary>
/// MaxAge is how old the newest backup of the tier may be before status alerts: the schedule plus slack.
public sealed record TierPreset(BackupTier Tier, bool WholeCluster, CompressionCodec Compression, bool EncryptionRequired,
    string StorageClass, string Retention, TimeSpan MaxAge)
{
    public static TierPreset For(BackupTier tier) => tier switch
    {
        BackupTier.Weekly => new(tier, true, CompressionCodec.Zstd(), true, "GLACIER", "365d", TimeSpan.FromHours(7 * 24 + 2)),
        BackupTier.Safety => new(tier, false, CompressionCodec.Zstd(), false, "STANDARD", "30d", TimeSpan.MaxValue),
        _ => new(tier, false, CompressionCodec.Zstd(), false, "STANDARD_IA", "90d", TimeSpan.FromHours(26)),
    };
}
