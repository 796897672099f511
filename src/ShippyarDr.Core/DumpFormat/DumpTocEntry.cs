namespace ShippyarDr.DumpFormat;

/// <summary>
/// One entry of a pg_dump archive's table of contents (a table, its data, a constraint, …), as pg_restore --list
/// shows it. Section is "PreData", "Data", "PostData" or "None"; HasData says a data block follows the TOC for it.
/// </summary>
public sealed record DumpTocEntry(int DumpId, string Description, string? Namespace, string Tag, string? Owner, string Section, bool HasData);
