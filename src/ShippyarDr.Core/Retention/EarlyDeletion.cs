namespace ShippyarDr.Retention;

/// <summary>
/// S3's minimum storage durations: an object of these classes deleted earlier is billed for the remaining days. Prices
/// are AWS's list prices per GB-month for us-east-1 (S3 pricing page, 2024); other regions and stores differ, so the
/// cost is an estimate that says so.
/// </summary>
public static class EarlyDeletion
{
    public const string PriceBasis = "AWS list price, us-east-1, per GB-month";

    private static readonly Dictionary<string, (int Days, decimal PricePerGbMonth)> Minimums = new(StringComparer.OrdinalIgnoreCase)
    {
        ["STANDARD_IA"] = (30, 0.0125m),
        ["ONEZONE_IA"] = (30, 0.01m),
        ["GLACIER_IR"] = (90, 0.004m),
        ["GLACIER"] = (90, 0.0036m),
        ["DEEP_ARCHIVE"] = (180, 0.00099m),
    };

    /// <summary>The charge for deleting <paramref name="size"/> bytes stored since <paramref name="storedSince"/> now, or null when none applies.</summary>
    public static EarlyDeletionCharge? Charge(string? storageClass, long size, DateTimeOffset storedSince, DateTimeOffset now)
    {
        if (storageClass is null || !Minimums.TryGetValue(storageClass, out var minimum)) return null;
        var remaining = minimum.Days - (now - storedSince).TotalDays;
        if (remaining <= 0) return null;
        var gbMonths = size / 1e9 * remaining / 30.0;
        return new EarlyDeletionCharge
        {
            StorageClass = storageClass.ToUpperInvariant(), MinimumDays = minimum.Days, DaysRemaining = Math.Round(remaining, 1),
            GigabyteMonths = gbMonths, EstimatedCostUsd = Math.Round((decimal)gbMonths * minimum.PricePerGbMonth, 6), PriceBasis = PriceBasis,
        };
    }
}
