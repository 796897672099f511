using System.IO.Compression;

namespace ShippyarDr.DumpFormat;

/// <summary>
/// Reads one data block's payload to its end marker, counting COPY rows as it goes. Memory stays at the input
/// buffer plus one inflate buffer whatever the table's size; the token is checked every few megabytes.
/// </summary>
internal sealed class DataBlockReader
{
    private const int CancelCheckBytes = 4 * 1024 * 1024;
    private readonly DumpInput _input;
    private readonly string _compression;
    private readonly CancellationToken _cancel;
    private byte[]? _inflated;

    public DataBlockReader(DumpInput input, string compression, CancellationToken cancel)
    {
        _input = input;
        _compression = compression;
        _cancel = cancel;
    }

    /// <summary>
    /// Rows (null when not countable: lz4/zstd, which we do not decode, or --inserts SQL) and bytes: the COPY data
    /// without its end-of-data line, the whole SQL for --inserts, and the stored payload for lz4/zstd.
    /// </summary>
    public (long? Rows, long Bytes) ReadTableData(bool isCopy)
    {
        var chunks = new ChunkedDataStream(_input);
        if (_compression is not ("none" or "gzip"))
        {
            SkipWithChecks(chunks);
            return (null, chunks.PayloadBytes);
        }
        var counter = new CopyRowCounter();
        if (_compression == "none") CountInPlace(chunks, counter);
        else if (chunks.HasMore()) CountInflated(chunks, counter); // an empty block holds no zlib stream at all
        var (rows, bytes) = counter.Result();
        return isCopy ? (rows, bytes) : (null, bytes);
    }

    private void CountInPlace(ChunkedDataStream chunks, CopyRowCounter counter)
    {
        long sinceCheck = 0;
        ReadOnlySpan<byte> span;
        while (!(span = chunks.ReadSpan()).IsEmpty)
        {
            counter.Append(span);
            if ((sinceCheck += span.Length) >= CancelCheckBytes)
            {
                _cancel.ThrowIfCancellationRequested();
                sinceCheck = 0;
            }
        }
    }

    private void CountInflated(ChunkedDataStream chunks, CopyRowCounter counter)
    {
        var buffer = _inflated ??= new byte[64 * 1024];
        long sinceCheck = 0;
        using (var zlib = new ZLibStream(chunks, CompressionMode.Decompress, leaveOpen: true))
        {
            try
            {
                int n;
                while ((n = zlib.Read(buffer, 0, buffer.Length)) > 0)
                {
                    counter.Append(buffer.AsSpan(0, n));
                    if ((sinceCheck += n) >= CancelCheckBytes)
                    {
                        _cancel.ThrowIfCancellationRequested();
                        sinceCheck = 0;
                    }
                }
            }
            catch (InvalidDataException e)
            {
                throw DumpFormatErrors.Corrupt(_input.Position, "a table's compressed data does not inflate: " + e.Message, e);
            }
        }
        // Anything after the end of the zlib stream (pg_dump writes nothing there) up to the end marker.
        chunks.SkipToEnd();
    }

    /// <summary>A large-object block: (oid, chunks) pairs ending with oid 0. Returns how many objects it held.</summary>
    public long SkipLargeObjects()
    {
        long count = 0;
        while (_input.ReadInteger() != 0)
        {
            SkipWithChecks(new ChunkedDataStream(_input));
            count++;
        }
        return count;
    }

    private void SkipWithChecks(ChunkedDataStream chunks)
    {
        _cancel.ThrowIfCancellationRequested();
        chunks.SkipToEnd();
    }
}
