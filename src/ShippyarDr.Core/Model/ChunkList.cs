namespace ShippyarDr;

/// <summary>
/// Where a stored object's chunk digests are: an object beside it holding one binary SHA-256 (32 bytes) per
/// <see cref="Size"/> bytes of the stored object, in order. Its own SHA-256 is here, in the (authenticated) manifest.
/// </summary>
public sealed class ChunkList
{
    /// <summary>Bytes per chunk (the last one may be shorter).</summary>
    public int Size { get; set; }
    public int Count { get; set; }
    /// <summary>File name of the digests object in the same backup folder.</summary>
    public string File { get; set; } = "";
    public string Sha256 { get; set; } = "";
}
