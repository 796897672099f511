namespace ShippyarDr.DumpFormat;

/// <summary>
/// Reads a pg_dump custom-format archive the way pg_dump writes it to a pipe: header, table of contents (no data
/// offsets, since a pipe cannot seek back), then the data blocks in TOC order, then EOF. One front-to-back pass
/// to the end of the stream with bounded memory (a 256 KB input buffer, a 64 KB inflate buffer and the TOC's
/// names), so it can sit on pg_dump's stdout while the same bytes go to storage.
/// Formats 1.12 to 1.16; the facts come from PostgreSQL's pg_backup_archiver.c/.h and pg_backup_custom.c.
/// </summary>
public static class CustomDumpScanner
{
    private const int BlockData = 1;  // BLK_DATA: table data
    private const int BlockBlobs = 3; // BLK_BLOBS: a group of large objects

    /// <summary>Reads the header and the table of contents only (with each entry's dependencies), leaving the data unread.</summary>
    internal static IReadOnlyList<TocItem> ReadToc(Stream input, CancellationToken cancel = default)
    {
        var reader = new DumpInput(input);
        return DumpToc.Read(reader, DumpHeader.Read(reader), cancel);
    }

    /// <summary>Reads <paramref name="input"/> to its end. Throws ShippyarException (InvalidData) with ErrorId
    /// NotCustomArchive, UnsupportedArchiveVersion, ArchiveTruncated or ArchiveCorrupt.</summary>
    public static DumpSummary Scan(Stream input, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new DumpInput(input);
        var header = DumpHeader.Read(reader);
        var toc = DumpToc.Read(reader, header, cancel);
        var byId = toc.ToDictionary(t => t.Entry.DumpId);
        var data = new Dictionary<int, (long? Rows, long Bytes)>();
        var blocks = new DataBlockReader(reader, header.Compression, cancel);
        long largeObjects = 0;

        int blockType;
        while ((blockType = reader.TryReadByte()) >= 0)
        {
            cancel.ThrowIfCancellationRequested();
            if (blockType is not (BlockData or BlockBlobs)) throw reader.Corrupt($"unknown data block type {blockType}");
            var dumpId = reader.ReadInt();
            if (!byId.TryGetValue(dumpId, out var item)) throw reader.Corrupt($"a data block for dump id {dumpId}, which the TOC does not list");
            if (data.ContainsKey(dumpId)) throw reader.Corrupt($"a second data block for dump id {dumpId}");
            if (blockType == BlockData)
            {
                data[dumpId] = blocks.ReadTableData(item.HasCopyStatement);
            }
            else
            {
                largeObjects += blocks.SkipLargeObjects();
                data[dumpId] = (null, 0);
            }
        }

        // Every entry that had data got a block; one missing at EOF means the dump stopped between two blocks,
        // and reporting 0 rows for it would hide an incomplete backup.
        var missing = toc.Where(t => t.Entry.HasData && !data.ContainsKey(t.Entry.DumpId)).Select(t => t.Entry).ToList();
        if (missing.Count > 0)
            throw DumpFormatErrors.Truncated(reader.Position,
                $"before the data of {missing.Count} entries (first: {missing[0].Description} {missing[0].Namespace}.{missing[0].Tag})");

        var entries = toc.Select(t => t.Entry).ToList();
        return new DumpSummary
        {
            FormatMajor = header.Major, FormatMinor = header.Minor, FormatRevision = header.Revision,
            Compression = header.Compression, CompressionLevel = header.CompressionLevel,
            DatabaseName = header.DatabaseName, ServerVersion = header.ServerVersion, DumpVersion = header.DumpVersion,
            CreatedAt = header.CreatedAt,
            Entries = entries,
            // An entry without data (K_OFFSET_NO_DATA) has no block at all: that table is empty.
            Tables = entries.Where(e => e.Description == "TABLE DATA")
                .Select(e => data.TryGetValue(e.DumpId, out var d)
                    ? new DumpTableData(e.DumpId, e.Namespace ?? "", e.Tag, d.Rows, d.Bytes)
                    : new DumpTableData(e.DumpId, e.Namespace ?? "", e.Tag, 0, 0))
                .ToList(),
            ForeignKeys = entries.Where(e => e.Description == "FK CONSTRAINT").ToList(),
            LargeObjectCount = largeObjects,
        };
    }
}
