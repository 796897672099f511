using System.Globalization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Retention;

/// <summary>
/// How long one tier keeps its backups: everything that ended within <see cref="KeepDays"/>, and (grandfather-father-son)
/// the newest backup of each of the newest <see cref="KeepDaily"/> days, <see cref="KeepWeekly"/> ISO weeks,
/// <see cref="KeepMonthly"/> months and <see cref="KeepYearly"/> years that have one (periods in UTC). Rules add up: a
/// backup is kept when any rule keeps it. Leave <see cref="KeepDays"/> null to keep by periods only.
/// </summary>
public sealed class TierRetention
{
    public int? KeepDays { get; set; }
    public int? KeepDaily { get; set; }
    public int? KeepWeekly { get; set; }
    public int? KeepMonthly { get; set; }
    public int? KeepYearly { get; set; }

    public TierRetention() { }

    public TierRetention(int? keepDays) => KeepDays = keepDays;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => KeepDays is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null && KeepYearly is null;

    /// <summary>"90d", the form manifests record (BackupInfo.Retention); null for anything else.</summary>
    public static int? ParseDays(string? text)
        => text is { Length: > 1 } && text.EndsWith('d') && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days) ? days : null;

    public void Check(string what)
    {
        foreach (var (name, value) in new[] { ("keep days", KeepDays), ("daily", KeepDaily), ("weekly", KeepWeekly), ("monthly", KeepMonthly), ("yearly", KeepYearly) })
            if (value is < 0)
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RetentionPolicyInvalid,
                    $"The retention of {what} keeps {value} {name}: counts and days must be 0 or more.", what);
    }

    public TierRetention Clone() => (TierRetention)MemberwiseClone();

    public override string ToString()
    {
        var parts = new List<string>();
        if (KeepDays is { } d) parts.Add($"{d} days");
        if (KeepDaily is { } a) parts.Add($"{a} daily");
        if (KeepWeekly is { } w) parts.Add($"{w} weekly");
        if (KeepMonthly is { } m) parts.Add($"{m} monthly");
        if (KeepYearly is { } y) parts.Add($"{y} yearly");
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }
}
