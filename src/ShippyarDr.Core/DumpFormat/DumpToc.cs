namespace ShippyarDr.DumpFormat;

/// <summary>A TOC entry as read, with what the scanner needs beyond the public record.</summary>
/// <param name="HasCopyStatement">The data is COPY text (pg_dump --inserts leaves copyStmt NULL and writes SQL).</param>
/// <param name="Dependencies">The dump ids this entry depends on (what pg_restore orders by; a partial restore follows them).</param>
internal sealed record TocItem(DumpTocEntry Entry, bool HasCopyStatement, IReadOnlyList<int> Dependencies);

/// <summary>
/// Reads the table of contents (pg_backup_archiver.c WriteToc/ReadToc, custom format's _WriteExtraToc). Per entry:
/// dumpId, hadDumper, tableoid, oid, tag, desc, section, defn, dropStmt, copyStmt, namespace, tablespace,
/// tableam (1.14+), relkind (1.16+, an int), owner, the "false" WITH OIDS string, dependency strings ending with
/// NULL, then a data-state byte and an offset of OffSize bytes. Definitions are skipped, never held in memory.
/// </summary>
internal static class DumpToc
{
    private const int OffsetNoData = 3; // K_OFFSET_NO_DATA: the entry has no data block

    public static List<TocItem> Read(DumpInput input, DumpHeader header, CancellationToken cancel)
    {
        var count = input.ReadInt();
        if (count < 0) throw input.Corrupt($"TOC count {count}");
        // Not preallocated from count: a damaged count must not allocate gigabytes before the TOC runs out.
        var items = new List<TocItem>(Math.Min(count, 4096));
        var seen = new HashSet<int>();
        for (var i = 0; i < count; i++)
        {
            if ((i & 1023) == 0) cancel.ThrowIfCancellationRequested();
            var dumpId = input.ReadInt();
            if (dumpId <= 0 || !seen.Add(dumpId)) throw input.Corrupt($"TOC entry {i} has dump id {dumpId}");
            var hadDumper = input.ReadInt() != 0;
            input.SkipString(); // catalog tableoid, as text
            input.SkipString(); // oid, as text
            var tag = input.ReadString() ?? "";
            var desc = input.ReadString() ?? "";
            var section = input.ReadInt();
            input.SkipString(); // defn
            input.SkipString(); // dropStmt
            var hasCopy = input.SkipString() > 0;
            var ns = input.ReadString();
            input.SkipString(); // tablespace
            if (header.Version >= DumpHeader.WithTableAm) input.SkipString();
            if (header.Version >= DumpHeader.WithRelkind) input.ReadInt();
            var owner = input.ReadString();
            input.SkipString(); // WITH OIDS: always "false" since pg_dump 12
            var dependencies = new List<int>();
            while (input.ReadString(32) is { } dependency) // dump ids as text, NULL-terminated
                if (int.TryParse(dependency, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)) dependencies.Add(id);
                else throw input.Corrupt($"dependency '{dependency}' of TOC entry {dumpId}");

            var dataState = input.ReadByte();
            if (dataState is < 1 or > 3) throw input.Corrupt($"data state {dataState} in TOC entry {dumpId}");
            input.Skip(header.OffsetSize); // the data offset: unset when pg_dump wrote to a pipe
            var hasData = hadDumper && dataState != OffsetNoData;
            items.Add(new TocItem(new DumpTocEntry(dumpId, desc, ns, tag, owner, SectionName(section), hasData), hasCopy, dependencies));
        }
        return items;
    }

    // pg_backup.h teSection: SECTION_NONE = 1, PRE_DATA, DATA, POST_DATA.
    private static string SectionName(int section) => section switch { 2 => "PreData", 3 => "Data", 4 => "PostData", _ => "None" };
}
