using ShippyarDr.Streams;

namespace ShippyarDr.Encryption;

/// <summary>
/// Writes one OpenPGP packet of unknown length (RFC 4880 §4.2.2.4): a new-format tag, then the body in
/// partial-length chunks of <see cref="ChunkSize"/> bytes (a power of two, as the format requires) and a final
/// chunk with an ordinary length, written by Dispose. Memory is one chunk.
/// </summary>
internal sealed class PartialLengthPacketStream : WriteOnlyStreamBase
{
    private const int ChunkPower = 16;
    public const int ChunkSize = 1 << ChunkPower;

    private readonly Stream _output;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private int _filled;
    private bool _closed;

    public PartialLengthPacketStream(Stream output, int tag)
    {
        _output = output;
        _output.WriteByte((byte)(0xC0 | tag));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, ChunkSize - _filled);
            buffer[..n].CopyTo(_chunk.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
            // A full chunk goes out only once more data follows: the last bytes must be in the final, ordinary-length chunk.
            if (_filled == ChunkSize && !buffer.IsEmpty) WritePartial();
        }
    }

    private void WritePartial()
    {
        _output.WriteByte(0xE0 | ChunkPower);
        _output.Write(_chunk, 0, ChunkSize);
        _filled = 0;
    }

    public override void Flush() => _output.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            Span<byte> length = stackalloc byte[5];
            _output.Write(length[..EncodeLength(_filled, length)]);
            _output.Write(_chunk, 0, _filled);
        }
        base.Dispose(disposing);
    }

    /// <summary>A new-format definite length (1, 2 or 5 bytes).</summary>
    internal static int EncodeLength(int length, Span<byte> into)
    {
        if (length < 192)
        {
            into[0] = (byte)length;
            return 1;
        }
        if (length < 8384)
        {
            into[0] = (byte)(((length - 192) >> 8) + 192);
            into[1] = (byte)(length - 192);
            return 2;
        }
        into[0] = 0xFF;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(into[1..], length);
        return 5;
    }
}
