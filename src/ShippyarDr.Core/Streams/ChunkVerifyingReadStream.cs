using System.Security.Cryptography;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Streams;

/// <summary>
/// Reads a stored object one chunk at a time and passes a chunk on only after its SHA-256 matched the chunk digests:
/// a changed byte stops the read at the chunk it is in, before pg_restore or psql see any of it. Memory is one chunk.
/// </summary>
public sealed class ChunkVerifyingReadStream : ReadOnlyStreamBase
{
    public const int DigestSize = 32;
    private readonly Stream _inner;
    private readonly byte[] _digests;
    private readonly long _expectedSize;
    private readonly string _name;
    private readonly byte[] _chunk;
    private int _chunkLength;
    private int _served;
    private int _index;
    private long _total;
    private ShippyarException? _failure;

    public ChunkVerifyingReadStream(Stream inner, byte[] digests, int chunkSize, long expectedSize, string name)
    {
        var count = expectedSize == 0 ? 0 : (expectedSize + chunkSize - 1) / chunkSize;
        if (chunkSize <= 0 || digests.Length != count * DigestSize)
            throw Corrupt(name, $"its chunk digests ({digests.Length / DigestSize} of {chunkSize} bytes) do not cover its {expectedSize} bytes");
        (_inner, _digests, _expectedSize, _name) = (inner, digests, expectedSize, name);
        _chunk = new byte[(int)Math.Min(chunkSize, Math.Max(expectedSize, 1))];
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        // A failed chunk fails every later read too: reading on would splice the next chunk onto the last good one.
        if (_failure is not null) throw _failure;
        try
        {
            if (_served == _chunkLength && !NextChunk()) return 0;
        }
        catch (ShippyarException e)
        {
            _failure = e;
            throw;
        }
        var n = Math.Min(buffer.Length, _chunkLength - _served);
        _chunk.AsSpan(_served, n).CopyTo(buffer);
        _served += n;
        return n;
    }

    private bool NextChunk()
    {
        var want = (int)Math.Min(_chunk.Length, _expectedSize - _total);
        if (want == 0)
        {
            // The end the manifest promised: anything more was appended.
            if (_inner.Read(_chunk.AsSpan(0, 1)) > 0) throw Corrupt(_name, $"it is longer than its {_expectedSize} bytes");
            return false;
        }
        var got = _inner.ReadAtLeast(_chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
        if (got < want) throw Corrupt(_name, $"it ends at byte {_total + got} of {_expectedSize}");
        Span<byte> digest = stackalloc byte[DigestSize];
        SHA256.HashData(_chunk.AsSpan(0, got), digest);
        if (!digest.SequenceEqual(_digests.AsSpan(_index * DigestSize, DigestSize)))
            throw Corrupt(_name, $"chunk {_index + 1} of {_digests.Length / DigestSize} (bytes {_total} to {_total + got - 1}) differs from what was written");
        (_chunkLength, _served) = (got, 0);
        _total += got;
        _index++;
        return true;
    }

    private static ShippyarException Corrupt(string name, string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.BackupCorrupt,
        $"{name} was changed or damaged after it was written: {why}. Nothing past the last good chunk was used.", name);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
