namespace ShippyarDr;

/// <summary>
/// What the archive knows of one archived file: which file of which cluster, when and by whom it was archived, and
/// its data object (sizes, SHA-256 before and after compression and encryption, how it was stored, the SHA-256 of
/// every 4 MiB chunk). Sealed like a backup's manifest, it authenticates every byte of the segment.
/// </summary>
public sealed class WalManifest
{
    public const int CurrentFormat = 1;
    internal static readonly string ProgramName = $"ShippyarDr {typeof(WalManifest).Assembly.GetName().Version?.ToString(3)}";

    public int FormatVersion { get; set; } = CurrentFormat;
    /// <summary>The file's name as PostgreSQL gave it (000000010000000000000003, 00000002.history, …).</summary>
    public string Name { get; set; } = "";
    public WalFileKind Kind { get; set; }
    public string SystemIdentifier { get; set; } = "";
    public int PostgresMajorVersion { get; set; }
    public int WalSegmentSize { get; set; }
    public DateTimeOffset ArchivedAt { get; set; }
    /// <summary>The host and program that archived it.</summary>
    public string ArchivedBy { get; set; } = "";
    /// <summary>The data object: File.Name is its file name in the manifest's folder.</summary>
    public BackupFile File { get; set; } = new();
    /// <summary>The binary chunk digests (File.Chunks), in hex: a segment has a few, so they live here rather than in an object of their own.</summary>
    public string ChunkDigests { get; set; } = "";
}
