namespace ShippyarDr;

/// <summary>One stored object of a backup and the SHA-256 computed while it was written.</summary>
public sealed class BackupFile
{
    public string Name { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    /// <summary>"custom": a pg_dump custom-format archive.</summary>
    public string Format { get; set; } = "";
    /// <summary>Compression inside the stored object, e.g. "gzip" (pg_dump's own) or "none".</summary>
    public string Compression { get; set; } = "";
}
