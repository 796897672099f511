namespace ShippyarDr.Streams;

/// <summary>Replays bytes already read (a peeked header) before the rest of a non-seekable stream.</summary>
public sealed class PrefixedReadStream : ReadOnlyStreamBase
{
    private readonly byte[] _prefix;
    private readonly Stream _rest;
    private int _position;

    public PrefixedReadStream(byte[] prefix, Stream rest)
    {
        _prefix = prefix;
        _rest = rest;
    }

    /// <summary>Reads up to <paramref name="count"/> bytes to look at, and a stream that still starts with them.</summary>
    public static (byte[] Head, Stream Whole) Peek(Stream input, int count)
    {
        var head = new byte[count];
        var n = input.ReadAtLeast(head, count, throwOnEndOfStream: false);
        head = head[..n];
        return (head, new PrefixedReadStream(head, input));
    }

    public override int Read(Span<byte> buffer)
    {
        if (_position < _prefix.Length)
        {
            var n = Math.Min(buffer.Length, _prefix.Length - _position);
            _prefix.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        return _rest.Read(buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rest.Dispose();
        base.Dispose(disposing);
    }

}
