using ShippyarDr.Streams;

namespace ShippyarDr.Archive;

/// <summary>
/// The payload of one data block as a plain stream: pg_dump writes it as (length, bytes) chunks ending with a
/// zero length. For gzip archives the concatenated payload is one zlib stream.
/// </summary>
internal sealed class ChunkedDataStream : ReadOnlyStreamBase
{
    private readonly ArchiveInput _input;
    private int _remainingInChunk;
    private bool _ended;

    public ChunkedDataStream(ArchiveInput input) => _input = input;

    public long PayloadBytes { get; private set; }

    public override int Read(Span<byte> destination)
    {
        while (_remainingInChunk == 0)
        {
            if (_ended) return 0;
            var length = _input.ReadInt();
            if (length == 0) { _ended = true; return 0; }
            if (length < 0) throw _input.Corrupt($"negative chunk length {length}");
            _remainingInChunk = length;
        }
        var span = _input.ReadUpTo(Math.Min(destination.Length, _remainingInChunk));
        if (span.IsEmpty) throw _input.Truncated();
        span.CopyTo(destination);
        _remainingInChunk -= span.Length;
        PayloadBytes += span.Length;
        return span.Length;
    }

    /// <summary>Consumes the rest of the block, up to and including its end marker.</summary>
    public void SkipToEnd()
    {
        while (!_ended)
        {
            if (_remainingInChunk > 0)
            {
                _input.Skip(_remainingInChunk);
                PayloadBytes += _remainingInChunk;
                _remainingInChunk = 0;
            }
            var length = _input.ReadInt();
            if (length == 0) _ended = true;
            else if (length < 0) throw _input.Corrupt($"negative chunk length {length}");
            else _remainingInChunk = length;
        }
    }

    public override long Position { get => PayloadBytes; set => throw new NotSupportedException(); }
}
