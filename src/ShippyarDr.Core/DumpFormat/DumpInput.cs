using System.Buffers.Binary;
using System.Text;

namespace ShippyarDr.DumpFormat;

/// <summary>
/// Forward-only, buffered reading of pg_dump's archive primitives (pg_backup_archiver.c ReadInt/ReadStr):
/// an integer is a sign byte then IntSize bytes of magnitude, least significant first; a string is such an
/// integer length (-1 for NULL) then that many bytes. One large buffer filled by big reads, so the per-value
/// work is plain array access rather than a virtual Stream call per byte.
/// </summary>
internal sealed class DumpInput
{
    private const int BufferSize = 256 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _pos;
    private int _len;
    private long _bufferStart;

    public DumpInput(Stream stream) => _stream = stream;

    /// <summary>Bytes per integer; 4 in every archive pg_dump writes, set from the header.</summary>
    public int IntSize { get; set; } = 4;

    /// <summary>Stream offset of the next byte, for error messages.</summary>
    public long Position => _bufferStart + _pos;

    private bool Fill()
    {
        if (_pos < _len) return true;
        _bufferStart += _len;
        _pos = 0;
        _len = _stream.Read(_buffer.AsSpan());
        return _len > 0;
    }

    /// <summary>The next byte, or -1 at the end of the stream (the only place where the end is legitimate).</summary>
    public int TryReadByte() => Fill() ? _buffer[_pos++] : -1;

    public byte ReadByte() => Fill() ? _buffer[_pos++] : throw Truncated();

    /// <summary>An archive integer at full width: large-object OIDs above 2^31 arrive as negative ints.</summary>
    public long ReadInteger()
    {
        var width = IntSize + 1;
        if (_len - _pos >= width)
        {
            var inBuffer = Decode(_buffer.AsSpan(_pos, width));
            _pos += width;
            return inBuffer;
        }
        Span<byte> bytes = stackalloc byte[9];
        ReadExactly(bytes[..width]);
        return Decode(bytes[..width]);
    }

    private long Decode(ReadOnlySpan<byte> bytes)
    {
        var magnitude = IntSize switch
        {
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes[1..]),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]),
            _ => DecodeAnyWidth(bytes[1..]),
        };
        if (magnitude > long.MaxValue) throw Corrupt($"integer {magnitude} out of range");
        return bytes[0] != 0 ? -(long)magnitude : (long)magnitude;
    }

    private static ulong DecodeAnyWidth(ReadOnlySpan<byte> littleEndian)
    {
        ulong value = 0;
        for (var i = littleEndian.Length - 1; i >= 0; i--) value = (value << 8) | littleEndian[i];
        return value;
    }

    public int ReadInt()
    {
        var value = ReadInteger();
        return value is > int.MaxValue or < int.MinValue ? throw Corrupt($"integer {value} out of range") : (int)value;
    }

    /// <summary>A string we keep (names, versions). Longer than <paramref name="maxBytes"/> means a damaged archive.</summary>
    public string? ReadString(int maxBytes = 1024 * 1024)
    {
        var length = ReadInt();
        if (length < 0) return null;
        if (length > maxBytes) throw Corrupt($"a {length}-byte name");
        if (_len - _pos >= length)
        {
            var inBuffer = Encoding.UTF8.GetString(_buffer, _pos, length);
            _pos += length;
            return inBuffer;
        }
        var bytes = new byte[length];
        ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Skips a string we do not need (definitions can be megabytes); returns its length, -1 for NULL.</summary>
    public int SkipString()
    {
        var length = ReadInt();
        if (length > 0) Skip(length);
        return length;
    }

    /// <summary>Reads as many bytes as the stream holds, up to the span's length; returns how many.</summary>
    public int ReadAtMost(Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length && Fill())
        {
            var n = Math.Min(destination.Length - total, _len - _pos);
            _buffer.AsSpan(_pos, n).CopyTo(destination[total..]);
            _pos += n;
            total += n;
        }
        return total;
    }

    public void ReadExactly(Span<byte> destination)
    {
        if (ReadAtMost(destination) < destination.Length) throw Truncated();
    }

    /// <summary>Up to <paramref name="max"/> bytes straight from the buffer, no copy; valid until the next read. Empty at the end.</summary>
    public ReadOnlySpan<byte> ReadUpTo(int max)
    {
        if (!Fill()) return ReadOnlySpan<byte>.Empty;
        var n = Math.Min(max, _len - _pos);
        var span = new ReadOnlySpan<byte>(_buffer, _pos, n);
        _pos += n;
        return span;
    }

    public void Skip(long count)
    {
        while (count > 0)
        {
            if (!Fill()) throw Truncated();
            var n = (int)Math.Min(count, _len - _pos);
            _pos += n;
            count -= n;
        }
    }

    public Diagnostics.ShippyarException Truncated() => DumpFormatErrors.Truncated(Position);

    public Diagnostics.ShippyarException Corrupt(string what) => DumpFormatErrors.Corrupt(Position, what);
}
