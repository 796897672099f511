namespace ShippyarDr.Streams;

/// <summary>
/// Reading from it reads the source and copies every byte read to a sink, so one pass over a pg_dump pipe
/// both parses the archive and stores it. Reports progress in bytes to an optional callback, which runs on
/// the reading thread.
/// </summary>
public sealed class TeeReadStream : ReadOnlyStreamBase
{
    private readonly Stream _source;
    private readonly Stream _sink;
    private readonly Action<long>? _progress;

    public TeeReadStream(Stream source, Stream sink, Action<long>? progress = null)
    {
        _source = source;
        _sink = sink;
        _progress = progress;
    }

    public long BytesRead { get; private set; }


    public override int Read(Span<byte> buffer)
    {
        var n = _source.Read(buffer);
        if (n > 0)
        {
            _sink.Write(buffer[..n]);
            BytesRead += n;
            _progress?.Invoke(BytesRead);
        }
        return n;
    }

    /// <summary>Copies whatever the source still holds to the sink (a reader that stopped early must not lose bytes).</summary>
    public void Drain()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0) { }
    }

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
}
