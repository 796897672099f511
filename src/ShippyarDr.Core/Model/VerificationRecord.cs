namespace ShippyarDr;

/// <summary>
/// That a backup was verified, and how it went: stored by verification under the repository's verification/ root
/// (never inside the backup's folder, whose files its manifest fixes); read by retention, which never deletes the
/// newest backup that passed.
/// </summary>
public sealed class VerificationRecord
{
    public string BackupId { get; set; } = "";
    public string Database { get; set; } = "";
    public BackupTier Tier { get; set; }
    public VerificationLevel Level { get; set; }
    public bool Passed { get; set; }
    public DateTimeOffset VerifiedAt { get; set; }
    public string Host { get; set; } = "";
    /// <summary>The checks that failed, by name.</summary>
    public List<string> FailedChecks { get; set; } = new();
}
