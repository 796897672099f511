namespace ShippyarDr.Archive;

/// <summary>
/// A table's data in the archive. Rows is counted from the COPY stream itself; null when the archive's
/// compression (lz4, zstd) is one we do not decode. DataBytes is the uncompressed COPY size.
/// </summary>
public sealed record ArchiveTableData(int DumpId, string Schema, string Table, long? Rows, long DataBytes);
