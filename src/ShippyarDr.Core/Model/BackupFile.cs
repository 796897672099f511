namespace ShippyarDr;

/// <summary>
/// One stored object of a backup. Two checksums: of the bytes stored (checkable without any key) and of the
/// plain content before compression and encryption (proves decryption and decompression gave back the dump).
/// </summary>
public sealed class BackupFile
{
    public string Name { get; set; } = "";
    /// <summary>"custom": a pg_dump custom-format archive; "globals": pg_dumpall --globals-only SQL.</summary>
    public string Format { get; set; } = "";
    /// <summary>The database this archive holds (cluster backups hold several).</summary>
    public string? Database { get; set; }
    /// <summary>Bytes stored and their SHA-256.</summary>
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    /// <summary>Bytes of the plain content and their SHA-256.</summary>
    public long PlainSize { get; set; }
    public string? PlainSha256 { get; set; }
    /// <summary>"zstd", "gzip" or "none", applied before encryption.</summary>
    public string Compression { get; set; } = "none";
    public int? CompressionLevel { get; set; }
    /// <summary>Null when the object is not encrypted.</summary>
    public EncryptionInfo? Encryption { get; set; }
    /// <summary>SHA-256 of every chunk of the stored bytes, so a reader can refuse a changed chunk before passing it on
    /// (a restore never runs SQL from a tampered object). Null in manifests before version 2.</summary>
    public ChunkList? Chunks { get; set; }
}
