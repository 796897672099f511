namespace ShippyarDr;

/// <summary>What retention does with one thing: a plan says Keep, Remove or Locked; a run turns Remove into Removed,
/// Skipped (it changed meanwhile) or Failed; a dry run (WhatIf) shows WouldRemove.</summary>
public enum RetentionAction
{
    Keep,
    Remove,
    WouldRemove,
    Removed,
    /// <summary>Retention would remove it, but S3 Object Lock forbids it until <see cref="RetentionDecision.LockedUntil"/>.</summary>
    Locked,
    /// <summary>Looked up again just before deleting, it was no longer what the plan judged (completed, written to, locked).</summary>
    Skipped,
    Failed,
}

/// <summary>What a retention decision is about.</summary>
public enum RetentionSubject
{
    Backup,
    /// <summary>A backup folder with data but no manifest.</summary>
    IncompleteBackup,
    /// <summary>A backup folder whose manifest cannot be used: never removed by retention.</summary>
    UnreadableBackup,
    /// <summary>Consecutive WAL segments (with .partial and .backup files among them) of one timeline.</summary>
    WalSegments,
    /// <summary>A timeline's .history file.</summary>
    WalHistory,
}

/// <summary>One decision of a retention plan or run: what, what happens to it, and why.</summary>
public sealed class RetentionDecision
{
    public RetentionSubject Subject { get; set; }
    public RetentionAction Action { get; set; }
    /// <summary>Why, as a sentence ("within 90 days", "kept as the monthly backup of 2026-03", "older than 90 days").</summary>
    public string Reason { get; set; } = "";
    public string Repository { get; set; } = "";
    /// <summary>The backup id; for WAL the first file's name.</summary>
    public string Id { get; set; } = "";
    /// <summary>The database, "_cluster" for cluster backups and the WAL archive.</summary>
    public string Database { get; set; } = "";
    public BackupTier? Tier { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    /// <summary>Bytes stored (backups; 0 where unknown).</summary>
    public long Size { get; set; }
    public string? StorageClass { get; set; }
    /// <summary>S3 Object Lock: it cannot be deleted before this time.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
    /// <summary>The charge a cold storage class bills for deleting before its minimum duration; null when none applies.</summary>
    public EarlyDeletionCharge? EarlyDeletion { get; set; }
    /// <summary>The backup passed its newest verification.</summary>
    public bool Verified { get; set; }
    /// <summary>WAL: the archive (cluster system identifier), timeline and the files of the range.</summary>
    public string? SystemIdentifier { get; set; }
    public uint? Timeline { get; set; }
    public string? FirstFile { get; set; }
    public string? LastFile { get; set; }
    public int FileCount { get; set; }
    /// <summary>Why a run could not carry it out.</summary>
    public string? Error { get; set; }
    /// <summary>The backup's folder in the repository (backups and incomplete folders).</summary>
    public string? Prefix { get; set; }

    /// <summary>The objects of a WAL decision, manifests before data (what a run deletes, in this order).</summary>
    internal List<string> Keys { get; set; } = new();

    public bool IsRemoval => Action is RetentionAction.Remove or RetentionAction.WouldRemove or RetentionAction.Removed;

    public RetentionDecision With(RetentionAction action, string? error = null)
    {
        var copy = (RetentionDecision)MemberwiseClone();
        copy.Action = action;
        copy.Error = error;
        return copy;
    }

    public override string ToString() => $"{Action} {Subject} {Database}/{Id}: {Reason}";
}

/// <summary>
/// What deleting an object of a cold storage class before its minimum storage duration costs: S3 bills the remaining
/// days as if stored. The cost is an estimate at the AWS list price named in <see cref="PriceBasis"/>.
/// </summary>
public sealed class EarlyDeletionCharge
{
    public string StorageClass { get; set; } = "";
    public int MinimumDays { get; set; }
    public double DaysRemaining { get; set; }
    public double GigabyteMonths { get; set; }
    public decimal EstimatedCostUsd { get; set; }
    public string PriceBasis { get; set; } = "";

    public override string ToString() => $"{StorageClass} minimum {MinimumDays} days: {DaysRemaining:F0} days early, {GigabyteMonths:F3} GB-months, about ${EstimatedCostUsd:F4} ({PriceBasis})";
}
