using System.Security.Cryptography;

namespace ShippyarDr.Backup;

/// <summary>
/// Backup ids sort by time and say their tier at a glance: "20261125-040512D-7f3a". The random tail keeps two
/// backups started in the same second apart. Lowercased they are valid in database names (scratch restores).
/// </summary>
public static class BackupId
{
    public static string New(DateTimeOffset startUtc, BackupTier tier)
        => $"{startUtc.UtcDateTime:yyyyMMdd-HHmmss}{tier.ToString()[0]}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}";

    /// <summary>A form of the id usable inside an unquoted PostgreSQL identifier.</summary>
    public static string ForIdentifier(string id) => id.ToLowerInvariant().Replace('-', '_');
}
