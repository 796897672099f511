using System.Security.Cryptography;

namespace ShippyarDr.Streams;

/// <summary>
/// Passes writes through to an inner stream while computing their SHA-256 and length on the fly, and optionally the
/// SHA-256 of every <c>chunkSize</c> bytes (the chunk digests a reader checks before it passes anything on).
/// </summary>
public sealed class HashingWriteStream : WriteOnlyStreamBase
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly int _chunkSize;
    private readonly IncrementalHash? _chunkHash;
    private readonly MemoryStream? _chunkDigests;
    private int _inChunk;

    public HashingWriteStream(Stream inner, int chunkSize = 0)
    {
        _inner = inner;
        _chunkSize = chunkSize;
        if (chunkSize <= 0) return;
        _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _chunkDigests = new MemoryStream();
    }

    public long BytesWritten { get; private set; }

    /// <summary>The lowercase hex SHA-256 of everything written; call once, after the last write.</summary>
    public string FinishHash() => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();

    /// <summary>The binary SHA-256 of each chunk in order (the last one may be short); call once, after the last write.</summary>
    public byte[] FinishChunkDigests()
    {
        if (_chunkHash is null || _chunkDigests is null) throw new InvalidOperationException("No chunk size was given.");
        if (_inChunk > 0) _chunkDigests.Write(_chunkHash.GetHashAndReset());
        _inChunk = 0;
        return _chunkDigests.ToArray();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        if (_chunkHash is not null) HashChunks(buffer);
        _inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    private void HashChunks(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _chunkSize - _inChunk);
            _chunkHash!.AppendData(buffer[..n]);
            _inChunk += n;
            buffer = buffer[n..];
            if (_inChunk < _chunkSize) continue;
            _chunkDigests!.Write(_chunkHash.GetHashAndReset());
            _inChunk = 0;
        }
    }

    public override void Flush() => _inner.Flush();
    public override long Length => BytesWritten;
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _chunkHash?.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
