namespace ShippyarDr.DumpFormat;

/// <summary>What a scan of a pg_dump custom archive found: header facts, the TOC, and per-table row counts.</summary>
public sealed class DumpSummary
{
    /// <summary>Archive format version, e.g. 1.14.0 (pg_dump 12-15), 1.15.0 (16), 1.16.0 (17).</summary>
    public int FormatMajor { get; init; }
    public int FormatMinor { get; init; }
    public int FormatRevision { get; init; }
    /// <summary>"none", "gzip", "lz4" or "zstd": how pg_dump compressed the data blocks.</summary>
    public string Compression { get; init; } = "none";
    /// <summary>The zlib level of formats before 1.15 (0 for none); null for zlib's default (-1) and from 1.15, which no longer records it.</summary>
    public int? CompressionLevel { get; init; }
    public string DatabaseName { get; init; } = "";
    /// <summary>The dumped server's version, e.g. "15.18 (Debian 15.18-0+deb12u1)".</summary>
    public string ServerVersion { get; init; } = "";
    /// <summary>The version of the pg_dump that wrote the archive.</summary>
    public string DumpVersion { get; init; } = "";
    /// <summary>When pg_dump started, in its local time (the archive records no time zone).</summary>
    public DateTime? CreatedAt { get; init; }
    public IReadOnlyList<DumpTocEntry> Entries { get; init; } = Array.Empty<DumpTocEntry>();
    /// <summary>One per "TABLE DATA" entry, in TOC order.</summary>
    public IReadOnlyList<DumpTableData> Tables { get; init; } = Array.Empty<DumpTableData>();
    /// <summary>The "FK CONSTRAINT" entries.</summary>
    public IReadOnlyList<DumpTocEntry> ForeignKeys { get; init; } = Array.Empty<DumpTocEntry>();
    public long LargeObjectCount { get; init; }
    public string FormatVersion => $"{FormatMajor}.{FormatMinor}.{FormatRevision}";
}
