using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ShippyarDr.Backup;

/// <summary>
/// Backup ids sort by time and say their tier at a glance: "20261125-040512D-7f3a09c1". The random tail (32 bits)
/// keeps backups started in the same second apart; a run also never deletes files it did not write itself, so even
/// a collision cannot make one run's cleanup remove another's backup. Older ids have a 16-bit tail.
/// </summary>
public static partial class BackupId
{
    public static string New(DateTimeOffset startUtc, BackupTier tier)
        => $"{startUtc.UtcDateTime:yyyyMMdd-HHmmss}{tier.ToString()[0]}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";

    /// <summary>A form of the id usable inside an unquoted PostgreSQL identifier.</summary>
    public static string ForIdentifier(string id) => id.ToLowerInvariant().Replace('-', '_');

    /// <summary>Whether <paramref name="id"/> has the shape of an id we write (and so is safe as a key segment).</summary>
    public static bool IsValid(string? id) => id is not null && Shape().IsMatch(id);

    /// <summary>The tier an id names by its letter, or null for a letter this version does not know.</summary>
    public static BackupTier? TierOf(string id) => IsValid(id)
        ? Enum.GetValues<BackupTier>().Cast<BackupTier?>().FirstOrDefault(t => t.ToString()![0] == id[15])
        : null;

    /// <summary>When the backup started, from its id (UTC, to the second).</summary>
    public static DateTimeOffset? StartOf(string id) => IsValid(id) && DateTime.TryParseExact(id[..15], "yyyyMMdd-HHmmss",
        System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
        ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    [GeneratedRegex(@"^\d{8}-\d{6}[A-Z]-[0-9a-f]{4,16}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
