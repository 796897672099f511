using System.Text;
using ShippyarDr.DumpFormat;

namespace ShippyarDr.TableData;

/// <summary>
/// The archive entries a partial restore of some tables needs, as a pg_restore -L list: the tables, their data, what
/// belongs to them (column defaults, the sequences they own or use, those sequences' values) and everything those
/// depend on (schemas, types, domains, functions, extensions), following the TOC's dependencies; a partitioned table
/// with its partitions and their attachments. Not restored: other
/// tables, indexes, constraints, triggers, comments and grants; the rows are only read there, and the conflict rule is
/// the target's primary key. (pg_restore -t alone would leave out the types and sequences a table needs.)
/// </summary>
internal static class TocSelection
{
    /// <summary>Entries that come with a chosen table (they depend on it) and are worth restoring with it.</summary>
    private static readonly HashSet<string> BelongingToTable = new(StringComparer.Ordinal) { "TABLE DATA", "DEFAULT", "SEQUENCE", "SEQUENCE OWNED BY" };

    public static IReadOnlyList<DumpTocEntry> Select(IReadOnlyList<TocItem> toc, IReadOnlyCollection<int> tableIds)
    {
        var byId = toc.ToDictionary(t => t.Entry.DumpId);
        var wanted = new HashSet<int>();
        var pending = new Stack<int>();
        void Want(int id)
        {
            if (byId.ContainsKey(id) && wanted.Add(id)) pending.Push(id);
        }
        void Close()
        {
            while (pending.Count > 0)
                foreach (var dependency in byId[pending.Pop()].Dependencies) Want(dependency);
        }

        // A partitioned table brings its partitions (and theirs, level by level): their TABLE ATTACH entries depend on
        // the parent and name the partition, whose rows are the parent's.
        var tables = new HashSet<int>(tableIds);
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var attach in toc.Where(t => t.Entry.Description == "TABLE ATTACH" && t.Dependencies.Any(tables.Contains)))
                foreach (var partition in attach.Dependencies.Where(d => byId.TryGetValue(d, out var e) && e.Entry.Description == "TABLE"))
                    grew |= tables.Add(partition);
        }
        foreach (var id in tables) Want(id);
        foreach (var item in toc)
            if ((BelongingToTable.Contains(item.Entry.Description) && item.Dependencies.Any(tables.Contains))
                || (item.Entry.Description == "TABLE ATTACH" && item.Dependencies.All(tables.Contains)))
                Want(item.Entry.DumpId);
        Close();
        // The current values of the sequences restored (not needed to read rows, but a restored serial must not look new).
        foreach (var item in toc)
            if (item.Entry.Description == "SEQUENCE SET" && item.Dependencies.Count > 0 && item.Dependencies.All(wanted.Contains)) Want(item.Entry.DumpId);
        Close();
        // In the archive's order: a piped archive is read front to back, so pg_restore must ask for data in that order.
        return toc.Where(t => wanted.Contains(t.Entry.DumpId)).Select(t => t.Entry).ToList();
    }

    /// <summary>The pg_restore -L file: one dump id per line, commented with what it is (pg_restore reads the leading number).</summary>
    public static string ListFile(IEnumerable<DumpTocEntry> entries)
    {
        var list = new StringBuilder();
        foreach (var e in entries)
            list.Append(e.DumpId).Append("; ").Append(Describe(e).Replace('\n', ' ').Replace('\r', ' ')).Append('\n');
        return list.ToString();
    }

    public static string Describe(DumpTocEntry e) => e.Namespace is { Length: > 0 } ns ? $"{e.Description} {ns} {e.Tag}" : $"{e.Description} {e.Tag}";
}
