namespace ShippyarDr;

/// <summary>
/// wal/&lt;system identifier&gt;/archive.json: the cluster an archive belongs to. Every push and fetch compares the
/// cluster it runs for with it and refuses a mismatch, so WAL of two clusters, or of one cluster before and after
/// pg_upgrade, never mixes.
/// </summary>
public sealed class WalArchiveRecord
{
    public const int CurrentFormat = 1;

    public int FormatVersion { get; set; } = CurrentFormat;
    public string SystemIdentifier { get; set; } = "";
    public int PostgresMajorVersion { get; set; }
    public int WalSegmentSize { get; set; }
    /// <summary>Manifests here are sealed (MAC or signature); sticky: once set, an unsealed push is refused and an unsealed manifest is not fetched.</summary>
    public bool Sealed { get; set; }
    public string CreatedBy { get; set; } = "";
    public string CreatedOn { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
