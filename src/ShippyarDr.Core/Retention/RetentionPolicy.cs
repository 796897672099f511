using ShippyarDr.Diagnostics;

namespace ShippyarDr.Retention;

/// <summary>
/// Retention per tier and the WAL window (how far back point-in-time recovery reaches). The plan's defaults: Daily 90
/// days, Weekly 365, Safety 30, Base 30, WAL 30. Which one counts, per tier: a policy given for the run, else the
/// repository's registered one, else what the backup's manifest recorded when it was taken ("90d"), else the tier's
/// default (see <see cref="Resolve"/>). A tier given replaces that tier's rules as a whole (so "12 monthly" alone keeps
/// by months only); tiers not given fall through.
/// </summary>
public sealed class RetentionPolicy
{
    public TierRetention? Daily { get; set; }
    public TierRetention? Weekly { get; set; }
    public TierRetention? Safety { get; set; }
    public TierRetention? Base { get; set; }
    /// <summary>Days of WAL kept: every point of the last WalDays days stays recoverable.</summary>
    public int? WalDays { get; set; }

    public static RetentionPolicy Defaults => new()
    {
        Daily = new(90), Weekly = new(365), Safety = new(30), Base = new(30), WalDays = 30,
    };

    public TierRetention? For(BackupTier tier) => tier switch
    {
        BackupTier.Daily => Daily, BackupTier.Weekly => Weekly, BackupTier.Safety => Safety, _ => Base,
    };

    public void Set(BackupTier tier, TierRetention? rules)
    {
        switch (tier)
        {
            case BackupTier.Daily: Daily = rules; break;
            case BackupTier.Weekly: Weekly = rules; break;
            case BackupTier.Safety: Safety = rules; break;
            default: Base = rules; break;
        }
    }

    public void Check()
    {
        foreach (var tier in Enum.GetValues<BackupTier>()) For(tier)?.Check(tier.ToString());
        if (WalDays is < 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RetentionPolicyInvalid, $"The WAL window is {WalDays} days: it must be 0 or more.");
    }

    public RetentionPolicy Clone()
    {
        var copy = new RetentionPolicy { WalDays = WalDays };
        foreach (var tier in Enum.GetValues<BackupTier>()) copy.Set(tier, For(tier)?.Clone());
        return copy;
    }

    /// <summary>Per tier (and for the WAL window) the first that says something: <paramref name="given"/>, then
    /// <paramref name="registered"/>. Tiers neither gives stay null: each backup's recorded retention or the default applies.</summary>
    public static RetentionPolicy Resolve(RetentionPolicy? given, RetentionPolicy? registered)
    {
        given?.Check();
        registered?.Check();
        var result = new RetentionPolicy { WalDays = given?.WalDays ?? registered?.WalDays };
        foreach (var tier in Enum.GetValues<BackupTier>())
            result.Set(tier, (given?.For(tier) is { IsEmpty: false } g ? g : null) ?? (registered?.For(tier) is { IsEmpty: false } r ? r : null));
        return result;
    }

    /// <summary>The rules for one backup: the tier's resolved rules, else the days its manifest recorded, else the default.</summary>
    public TierRetention RulesFor(BackupInfo backup)
        => For(backup.Tier) ?? (TierRetention.ParseDays(backup.Retention) is { } days ? new TierRetention(days) : Defaults.For(backup.Tier)!);

    /// <summary>Where the rules of a backup came from, for the reasons given.</summary>
    public string SourceOf(BackupInfo backup)
        => For(backup.Tier) is not null ? "policy" : TierRetention.ParseDays(backup.Retention) is not null ? "manifest" : "default";

    [System.Text.Json.Serialization.JsonIgnore]
    public int WalWindowDays => WalDays ?? Defaults.WalDays!.Value;

    public override string ToString()
        => string.Join("; ", Enum.GetValues<BackupTier>().Where(t => For(t) is not null).Select(t => $"{t}: {For(t)}")
            .Append(WalDays is { } w ? $"WAL: {w} days" : null).Where(s => s is not null));
}
