using ShippyarDr.Compression;

namespace ShippyarDr.Pipeline;

/// <summary>How objects are stored: compression then (optionally) encryption.</summary>
public sealed class StorageOptions
{
    public CompressionCodec Compression { get; init; } = CompressionCodec.Zstd();
    public IEncryptionStage? Encryption { get; init; }

    /// <summary>The stored file name for a plain name: data.dump → data.dump.zst.gpg.</summary>
    public string StoredName(string plainName) => plainName + Compression.Extension + (Encryption is null ? "" : ".gpg");
}
