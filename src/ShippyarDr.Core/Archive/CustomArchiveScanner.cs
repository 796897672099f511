using System.IO.Compression;
using System.Text;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Archive;

/// <summary>
/// Reads a pg_dump custom-format archive as pg_dump writes it to a pipe: header, table of contents, then the
/// data blocks in TOC order (no offsets, since a pipe cannot seek back). Counts every table's rows from its COPY
/// data (a row ends with '\n'; newlines inside values are escaped; pg_dump ends each block with a "\.\n\n\n"
/// terminator, which is not a row), in one front-to-back pass with bounded memory.
/// Facts from PostgreSQL's pg_backup_archiver.c/.h and pg_backup_custom.c; archive versions 1.12 to 1.16
/// (PostgreSQL 11 to 17).
/// </summary>
public static class CustomArchiveScanner
{
    private static readonly byte[] Magic = "PGDMP"u8.ToArray();
    private const int FormatCustom = 1;
    private const byte BlockData = 1;
    private const byte BlockBlobs = 3;

    public static ArchiveSummary Scan(Stream input, CancellationToken cancel = default)
    {
        var reader = new ArchiveInput(input);
        var header = ReadHeader(reader);
        var entries = ReadToc(reader, header.Version);
        var byId = entries.ToDictionary(e => e.DumpId);
        var tables = new List<ArchiveTableData>();
        var dataBlocks = new HashSet<int>();
        long largeObjects = 0;

        int blockType;
        while ((blockType = reader.TryReadByte()) >= 0)
        {
            cancel.ThrowIfCancellationRequested();
            var dumpId = reader.ReadInt();
            if (!byId.TryGetValue(dumpId, out var entry)) throw reader.Corrupt($"data block for unknown dump id {dumpId}");
            dataBlocks.Add(dumpId);
            switch (blockType)
            {
                case BlockData:
                    var (rows, bytes) = ReadTableData(reader, header.Compression);
                    if (entry.Description == "TABLE DATA")
                        tables.Add(new ArchiveTableData(dumpId, entry.Namespace ?? "", entry.Tag, rows, bytes));
                    break;
                case BlockBlobs:
                    largeObjects += SkipBlobs(reader, cancel);
                    break;
                default:
                    throw reader.Corrupt($"unknown block type {blockType}");
            }
        }

        // A table whose data block is missing would restore empty: that is a truncated archive, not 0 rows.
        var missing = entries.Where(e => e.HasData && !dataBlocks.Contains(e.DumpId)).ToList();
        if (missing.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, "ArchiveTruncated",
                $"The archive ends before the data of {missing.Count} entries (first: {missing[0].Description} {missing[0].Namespace}.{missing[0].Tag}).");

        return new ArchiveSummary
        {
            FormatMajor = header.Version.Major, FormatMinor = header.Version.Minor, FormatRevision = header.Version.Build,
            Compression = header.Compression, CompressionLevel = header.Level, DatabaseName = header.Database,
            ServerVersion = header.ServerVersion, DumpVersion = header.DumpVersion, CreatedAt = header.CreatedAt,
            Entries = entries, Tables = tables, LargeObjectCount = largeObjects,
        };
    }

    private sealed record Header(Version Version, string Compression, int? Level, string Database, string ServerVersion, string DumpVersion, DateTime? CreatedAt);

    private static Header ReadHeader(ArchiveInput reader)
    {
        Span<byte> magic = stackalloc byte[5];
        try { reader.ReadExactly(magic); }
        catch (ShippyarException) { throw NotCustom("it is shorter than an archive header"); }
        if (!magic.SequenceEqual(Magic)) throw NotCustom("it does not start with PGDMP");

        var version = new Version(reader.ReadByte(), reader.ReadByte(), reader.ReadByte());
        if (version < new Version(1, 12, 0) || version > new Version(1, 16, 255))
            throw new ShippyarException(ShippyarErrorKind.InvalidData, "UnsupportedArchiveVersion",
                $"Archive format {version} is not supported (1.12 to 1.16: PostgreSQL 11 to 17).");
        reader.IntSize = reader.ReadByte();
        reader.OffsetSize = reader.ReadByte();
        if (reader.IntSize is < 1 or > 8 || reader.OffsetSize is < 1 or > 8) throw reader.Corrupt("impossible integer sizes");
        var format = reader.ReadByte();
        if (format != FormatCustom) throw NotCustom($"its format is {format}, not custom (pg_dump -Fc)");

        string compression;
        int? level = null;
        if (version >= new Version(1, 15, 0))
        {
            compression = reader.ReadByte() switch { 0 => "none", 1 => "gzip", 2 => "lz4", 3 => "zstd", var a => throw reader.Corrupt($"compression algorithm {a}") };
        }
        else
        {
            // A zlib level: 0 none, -1 zlib's default, 1-9.
            level = reader.ReadInt();
            compression = level == 0 ? "none" : "gzip";
        }

        var (sec, min, hour, mday, mon, year, _) = (reader.ReadInt(), reader.ReadInt(), reader.ReadInt(), reader.ReadInt(), reader.ReadInt(), reader.ReadInt(), reader.ReadInt());
        DateTime? created = null;
        try { created = new DateTime(year + 1900, mon + 1, mday, hour, min, Math.Min(sec, 59), DateTimeKind.Local); }
        catch (ArgumentOutOfRangeException) { /* a nonsensical timestamp is not worth failing a backup over */ }

        var database = reader.ReadString() ?? "";
        var serverVersion = reader.ReadString() ?? "";
        var dumpVersion = reader.ReadString() ?? "";
        return new Header(version, compression, level, database, serverVersion, dumpVersion, created);
    }

    private static List<ArchiveTocEntry> ReadToc(ArchiveInput reader, Version version)
    {
        var count = reader.ReadInt();
        if (count < 0) throw reader.Corrupt($"TOC count {count}");
        var entries = new List<ArchiveTocEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var dumpId = reader.ReadInt();
            var hasDumper = reader.ReadInt() != 0;
            reader.ReadString(); // catalog tableoid
            reader.ReadString(); // oid
            var tag = reader.ReadString() ?? "";
            var desc = reader.ReadString() ?? "";
            var section = reader.ReadInt();
            reader.ReadString(); // defn
            reader.ReadString(); // dropStmt
            reader.ReadString(); // copyStmt
            var ns = reader.ReadString();
            reader.ReadString(); // tablespace
            if (version >= new Version(1, 14, 0)) reader.ReadString(); // table access method
            if (version >= new Version(1, 16, 0)) reader.ReadInt(); // relkind
            var owner = reader.ReadString();
            reader.ReadString(); // "false": the long-gone WITH OIDS flag
            while (reader.ReadString() is not null) { } // dependencies, NULL-terminated
            // Custom format's extra TOC data: a data-state flag and an offset (unset when written to a pipe).
            var dataState = reader.ReadByte();
            reader.Skip(reader.OffsetSize);
            var hasData = hasDumper && dataState != 3; // K_OFFSET_NO_DATA
            entries.Add(new ArchiveTocEntry(dumpId, desc, ns, tag, owner, SectionName(section), hasData));
        }
        return entries;
    }

    private static string SectionName(int section) => section switch { 2 => "PreData", 3 => "Data", 4 => "PostData", _ => "None" };

    /// <summary>Counts the COPY rows of one data block; returns (null, payload bytes) for codecs we don't decode.</summary>
    private static (long? Rows, long Bytes) ReadTableData(ArchiveInput reader, string compression)
    {
        var chunks = new ChunkedDataStream(reader);
        if (compression is not ("none" or "gzip"))
        {
            chunks.SkipToEnd();
            return (null, chunks.PayloadBytes);
        }
        long rows = 0, bytes = 0;
        var buffer = new byte[128 * 1024];
        var tail = new TailWindow();
        Stream data = compression == "gzip" ? new ZLibStream(chunks, CompressionMode.Decompress, leaveOpen: true) : chunks;
        try
        {
            int n;
            while ((n = data.Read(buffer, 0, buffer.Length)) > 0)
            {
                rows += buffer.AsSpan(0, n).Count((byte)'\n');
                bytes += n;
                tail.Append(buffer.AsSpan(0, n));
            }
        }
        catch (InvalidDataException e)
        {
            throw reader.Corrupt("compressed data does not inflate: " + e.Message);
        }
        finally
        {
            if (!ReferenceEquals(data, chunks)) data.Dispose();
        }
        chunks.SkipToEnd();
        // A data row can never be "\." alone (a literal backslash is written "\\"), so the marker is unambiguous.
        if (tail.EndsWith(CopyTerminator)) rows -= 3;
        return (rows, bytes);
    }

    private static readonly byte[] CopyTerminator = "\\.\n\n\n"u8.ToArray();

    /// <summary>The last few bytes of a stream read in pieces.</summary>
    private sealed class TailWindow
    {
        private readonly byte[] _last = new byte[8];
        private int _count;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (data.Length >= _last.Length)
            {
                data[^_last.Length..].CopyTo(_last);
                _count = _last.Length;
                return;
            }
            var keep = Math.Min(_count, _last.Length - data.Length);
            _last.AsSpan(_count - keep, keep).CopyTo(_last);
            data.CopyTo(_last.AsSpan(keep));
            _count = keep + data.Length;
        }

        public bool EndsWith(ReadOnlySpan<byte> suffix) => _count >= suffix.Length && _last.AsSpan(0, _count).EndsWith(suffix);
    }

    /// <summary>Skips a large-object block: (oid, chunks) pairs ending with oid 0. Returns how many objects.</summary>
    private static long SkipBlobs(ArchiveInput reader, CancellationToken cancel)
    {
        long count = 0;
        while (reader.ReadLong() != 0)
        {
            cancel.ThrowIfCancellationRequested();
            new ChunkedDataStream(reader).SkipToEnd();
            count++;
        }
        return count;
    }

    private static ShippyarException NotCustom(string why) => new(ShippyarErrorKind.InvalidData, "NotCustomArchive",
        $"This is not a pg_dump custom-format archive: {why}.");
}
