namespace ShippyarDr.Archive;

/// <summary>One entry of a pg_dump archive's table of contents (a table, its data, a constraint, …).</summary>
public sealed record ArchiveTocEntry(int DumpId, string Description, string? Namespace, string Tag, string? Owner, string Section, bool HasData);
