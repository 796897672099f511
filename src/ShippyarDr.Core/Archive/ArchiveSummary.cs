namespace ShippyarDr.Archive;

/// <summary>What a scan of a pg_dump custom archive found: header facts, the TOC, and per-table row counts.</summary>
public sealed class ArchiveSummary
{
    public int FormatMajor { get; init; }
    public int FormatMinor { get; init; }
    public int FormatRevision { get; init; }
    /// <summary>"none", "gzip", "lz4" or "zstd": how pg_dump compressed the data blocks.</summary>
    public string Compression { get; init; } = "none";
    public int? CompressionLevel { get; init; }
    public string DatabaseName { get; init; } = "";
    public string ServerVersion { get; init; } = "";
    public string DumpVersion { get; init; } = "";
    public DateTime? CreatedAt { get; init; }
    public IReadOnlyList<ArchiveTocEntry> Entries { get; init; } = Array.Empty<ArchiveTocEntry>();
    public IReadOnlyList<ArchiveTableData> Tables { get; init; } = Array.Empty<ArchiveTableData>();
    public IReadOnlyList<ArchiveTocEntry> ForeignKeys => Entries.Where(e => e.Description == "FK CONSTRAINT").ToList();
    public long LargeObjectCount { get; init; }
    public string FormatVersion => $"{FormatMajor}.{FormatMinor}.{FormatRevision}";
}
