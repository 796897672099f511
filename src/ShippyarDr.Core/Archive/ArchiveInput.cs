using System.Text;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Archive;

/// <summary>
/// Buffered reading of pg_dump's archive primitives: integers are a sign byte then intSize bytes little-endian,
/// strings are an integer length (-1 for NULL) then the bytes. One large buffer, no per-byte virtual calls.
/// </summary>
internal sealed class ArchiveInput
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _pos;
    private int _len;

    public ArchiveInput(Stream stream) => _stream = stream;

    public int IntSize { get; set; } = 4;
    public int OffsetSize { get; set; } = 8;
    public long Position { get; private set; }

    private bool Fill()
    {
        if (_pos < _len) return true;
        _len = _stream.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        return _len > 0;
    }

    /// <summary>Next byte, or -1 at the end of the stream.</summary>
    public int TryReadByte()
    {
        if (!Fill()) return -1;
        Position++;
        return _buffer[_pos++];
    }

    public byte ReadByte()
    {
        var b = TryReadByte();
        return b < 0 ? throw Truncated() : (byte)b;
    }

    public int ReadInt()
    {
        var value = ReadLong();
        return value is > int.MaxValue or < -int.MaxValue ? throw Corrupt($"integer {value} out of range") : (int)value;
    }

    /// <summary>An archive integer at full width (large-object OIDs exceed int).</summary>
    public long ReadLong()
    {
        var negative = ReadByte() != 0;
        ulong value = 0;
        for (var i = 0; i < IntSize; i++) value |= (ulong)ReadByte() << (8 * i);
        if (value > long.MaxValue) throw Corrupt($"integer {value} out of range");
        return negative ? -(long)value : (long)value;
    }

    public string? ReadString()
    {
        var length = ReadInt();
        if (length < 0) return null;
        if (length > 256 * 1024 * 1024) throw Corrupt($"string of {length} bytes");
        var bytes = length <= 4096 ? stackalloc byte[length] : new byte[length];
        ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    public void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (!Fill()) throw Truncated();
            var n = Math.Min(destination.Length, _len - _pos);
            _buffer.AsSpan(_pos, n).CopyTo(destination);
            _pos += n;
            Position += n;
            destination = destination[n..];
        }
    }

    /// <summary>Reads up to <paramref name="max"/> bytes straight from the buffer (no copy); empty at the end.</summary>
    public ReadOnlySpan<byte> ReadUpTo(int max)
    {
        if (!Fill()) return ReadOnlySpan<byte>.Empty;
        var n = Math.Min(max, _len - _pos);
        var span = _buffer.AsSpan(_pos, n);
        _pos += n;
        Position += n;
        return span;
    }

    public void Skip(long count)
    {
        while (count > 0)
        {
            var span = ReadUpTo((int)Math.Min(count, int.MaxValue));
            if (span.IsEmpty) throw Truncated();
            count -= span.Length;
        }
    }

    public ShippyarException Truncated() => new(ShippyarErrorKind.InvalidData, "ArchiveTruncated",
        $"The archive ends early, at byte {Position}: the dump was cut off or the file is incomplete.");

    public ShippyarException Corrupt(string what) => new(ShippyarErrorKind.InvalidData, "ArchiveCorrupt",
        $"The archive is damaged near byte {Position}: {what}.");
}
