using ShippyarDr.Streams;

namespace ShippyarDr.DumpFormat;

/// <summary>
/// The payload of one data block (pg_backup_custom.c _CustomWriteFunc/_EndData): (integer length, bytes) chunks
/// ending with a zero length. pg_dump never writes an empty chunk, so zero always means the end. For gzip
/// archives the concatenated payload is one zlib stream; uncompressed payloads are read in place through
/// <see cref="ReadSpan"/>.
/// </summary>
internal sealed class ChunkedDataStream : ReadOnlyStreamBase
{
    private readonly DumpInput _input;
    private int _remainingInChunk;
    private bool _ended;

    public ChunkedDataStream(DumpInput input) => _input = input;

    /// <summary>Payload bytes read or skipped so far (compressed size for compressed archives).</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>True while payload remains; reads chunk headers as needed, and the end marker once.</summary>
    public bool HasMore()
    {
        while (_remainingInChunk == 0)
        {
            if (_ended) return false;
            var length = _input.ReadInt();
            if (length == 0)
            {
                _ended = true;
                return false;
            }
            if (length < 0) throw _input.Corrupt($"negative chunk length {length}");
            _remainingInChunk = length;
        }
        return true;
    }

    /// <summary>The next piece of payload straight from the input buffer (no copy); empty at the block's end.</summary>
    public ReadOnlySpan<byte> ReadSpan(int max = int.MaxValue)
    {
        if (!HasMore()) return ReadOnlySpan<byte>.Empty;
        var span = _input.ReadUpTo(Math.Min(max, _remainingInChunk));
        if (span.IsEmpty) throw _input.Truncated();
        _remainingInChunk -= span.Length;
        PayloadBytes += span.Length;
        return span;
    }

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty) return 0;
        var span = ReadSpan(destination.Length);
        span.CopyTo(destination);
        return span.Length;
    }

    /// <summary>Consumes the rest of the block, up to and including its end marker.</summary>
    public void SkipToEnd()
    {
        while (HasMore())
        {
            _input.Skip(_remainingInChunk);
            PayloadBytes += _remainingInChunk;
            _remainingInChunk = 0;
        }
    }

    public override long Position { get => PayloadBytes; set => throw new NotSupportedException(); }
}
