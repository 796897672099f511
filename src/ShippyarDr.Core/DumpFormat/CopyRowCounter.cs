namespace ShippyarDr.DumpFormat;

/// <summary>
/// Counts the rows of a table's COPY text data fed in pieces. In COPY text format every row, even an empty one
/// (a lone empty string, or a table without columns), ends with '\n', and a newline inside a value is written
/// as the two characters "\n", so rows = newlines. pg_dump ends each table's data with the end-of-data line
/// "\." and two empty lines ("\\.\n\n\n", written into the archive too), which are not rows. A data row can
/// never be "\." alone (a backslash in a value is doubled), so that line is recognised from the last few bytes.
/// </summary>
internal sealed class CopyRowCounter
{
    private const int TailSize = 16;
    private readonly byte[] _tail = new byte[TailSize];
    private int _tailLength;
    private long _newlines;
    private long _bytes;

    public void Append(ReadOnlySpan<byte> data)
    {
        _newlines += data.Count((byte)'\n');
        _bytes += data.Length;
        if (data.Length >= TailSize)
        {
            data[^TailSize..].CopyTo(_tail);
            _tailLength = TailSize;
            return;
        }
        var keep = Math.Min(_tailLength, TailSize - data.Length);
        _tail.AsSpan(_tailLength - keep, keep).CopyTo(_tail);
        data.CopyTo(_tail.AsSpan(keep));
        _tailLength = keep + data.Length;
    }

    /// <summary>Rows and data bytes, without the end-of-data line and what follows it.</summary>
    public (long Rows, long Bytes) Result()
    {
        var tail = _tail.AsSpan(0, _tailLength);
        var body = tail.TrimEnd((byte)'\n');
        var newlinesAfter = tail.Length - body.Length;
        if (newlinesAfter == 0 || !body.EndsWith("\\."u8)) return (_newlines, _bytes);
        var markerStart = body.Length - 2;
        // The marker must be a line of its own: after a newline, or the very first bytes of the data.
        var ownLine = markerStart > 0 ? body[markerStart - 1] == (byte)'\n' : _bytes == _tailLength;
        return ownLine ? (_newlines - newlinesAfter, _bytes - 2 - newlinesAfter) : (_newlines, _bytes);
    }
}
