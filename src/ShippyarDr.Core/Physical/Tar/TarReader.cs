using ShippyarDr.Streams;

namespace ShippyarDr.Physical.Tar;

/// <summary>
/// Reads a tar archive from a forward-only stream, member by member, with nothing buffered beyond one block: the
/// archive may be gigabytes. <see cref="Next"/> skips whatever of the previous member's data was not read. The archive
/// ends at its first zero block; what follows must be zeros too (PostgreSQL writes two zero blocks), so a truncated or
/// padded-with-junk archive is told from a complete one.
/// </summary>
public sealed class TarReader
{
    private readonly Stream _source;
    private readonly string _where;
    private long _dataLeft;
    private int _paddingLeft;
    private bool _ended;

    public TarReader(Stream source, string where)
    {
        _source = source;
        _where = where;
    }

    /// <summary>Whether the archive's end (a zero block) was reached.</summary>
    public bool Ended => _ended;

    /// <summary>The next member's header, or null at the archive's end.</summary>
    public TarHeader? Next()
    {
        if (_ended) return null;
        Skip(_dataLeft + _paddingLeft);
        (_dataLeft, _paddingLeft) = (0, 0);
        var block = new byte[TarHeader.BlockSize];
        var n = _source.ReadAtLeast(block, TarHeader.BlockSize, throwOnEndOfStream: false);
        if (n == 0) throw TarHeader.Corrupt(_where, "it ends without the end-of-archive blocks (truncated?)");
        if (n < TarHeader.BlockSize) throw TarHeader.Corrupt(_where, "it ends in the middle of a header block (truncated?)");
        if (TarHeader.IsZeroBlock(block))
        {
            _ended = true;
            RequireZerosToEnd();
            return null;
        }
        var header = TarHeader.Parse(block, _where);
        (_dataLeft, _paddingLeft) = (header.Size, header.Padding);
        return header;
    }

    /// <summary>Reads the current member's data; 0 at its end.</summary>
    public int ReadData(Span<byte> buffer)
    {
        if (_dataLeft == 0) return 0;
        var n = _source.Read(buffer[..(int)Math.Min(buffer.Length, _dataLeft)]);
        if (n == 0) throw TarHeader.Corrupt(_where, "it ends in the middle of a member's data (truncated?)");
        _dataLeft -= n;
        return n;
    }

    /// <summary>The current member's data as a stream (valid until <see cref="Next"/>).</summary>
    public Stream Data => new MemberStream(this);

    /// <summary>Reads the padding after the current member's data (once the data is read) and returns it.</summary>
    internal int ReadPadding(Span<byte> buffer)
    {
        if (_dataLeft > 0 || _paddingLeft == 0) return 0;
        var n = _source.Read(buffer[.._paddingLeft]);
        if (n == 0) throw TarHeader.Corrupt(_where, "it ends in the padding after a member (truncated?)");
        _paddingLeft -= n;
        return n;
    }

    private void Skip(long count)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var n = _source.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, count)));
            if (n == 0) throw TarHeader.Corrupt(_where, "it ends in the middle of a member's data (truncated?)");
            count -= n;
        }
    }

    private void RequireZerosToEnd()
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = _source.Read(buffer)) > 0)
            if (!TarHeader.IsZeroBlock(buffer.AsSpan(0, n))) throw TarHeader.Corrupt(_where, "data follows its end-of-archive block");
    }

    private sealed class MemberStream(TarReader reader) : ReadOnlyStreamBase
    {
        public override int Read(Span<byte> buffer) => reader.ReadData(buffer);
    }
}
