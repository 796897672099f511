namespace ShippyarDr.DumpFormat;

/// <summary>
/// A table's data in the archive. Rows is counted from the COPY text itself and equals SELECT count(*) at dump
/// time; it is null when it cannot be counted: lz4/zstd archives (not decoded here) or pg_dump --inserts.
/// DataBytes is the uncompressed COPY text without pg_dump's end-of-data line (0 for an empty table); for
/// lz4/zstd archives it is the compressed size as stored.
/// </summary>
public sealed record DumpTableData(int DumpId, string Schema, string Table, long? Rows, long DataBytes);
