namespace ShippyarDr.Audit;

/// <summary>Which records to read; every filter left null matches everything. Records come newest first.</summary>
public sealed record AuditQuery
{
    public IReadOnlyCollection<AuditOperation>? Operations { get; init; }
    public IReadOnlyCollection<AuditStatus>? Statuses { get; init; }
    public IReadOnlyCollection<BackupTier>? Tiers { get; init; }
    /// <summary>Exact database names (case-sensitive, as PostgreSQL compares them).</summary>
    public IReadOnlyCollection<string>? Databases { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    /// <summary>At most this many (the newest).</summary>
    public int? Last { get; init; }

    public bool Matches(AuditRecord r)
        => (Operations is null || Operations.Contains(r.Operation))
           && (Statuses is null || Statuses.Contains(r.Status))
           && (Tiers is null || (r.Tier is { } t && Tiers.Contains(t)))
           && (Databases is null || (r.Database is { } d && Databases.Contains(d)))
           && (Since is null || r.CreatedAt >= Since)
           && (Until is null || r.CreatedAt <= Until);
}
