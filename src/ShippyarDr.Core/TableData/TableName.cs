using ShippyarDr.Diagnostics;

namespace ShippyarDr.TableData;

/// <summary>A table as schema and name; "orders" names it in whichever schema holds the only table of that name.</summary>
internal sealed record TableName(string Schema, string Name)
{
    public string Qualified => $"{Schema}.{Name}";
    public string Sql => $"{Quote(Schema)}.{Quote(Name)}";

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    /// <summary>The table <paramref name="given"/> names ("schema.table" or "table") among <paramref name="available"/>.</summary>
    /// <param name="notFoundId">The error id when no table matches (by default TableNotInBackup).</param>
    public static TableName Resolve(string given, IReadOnlyCollection<TableName> available, string where, string? notFoundId = null)
    {
        var dot = given.IndexOf('.');
        var (schema, name) = dot > 0 && dot < given.Length - 1 ? (given[..dot], given[(dot + 1)..]) : ((string?)null, given);
        var matches = available.Where(t => t.Name == name && (schema is null || t.Schema == schema)).ToList();
        // "public.a.b" or a name with a dot in it: the whole text as a table name.
        if (matches.Count == 0 && dot > 0) matches = available.Where(t => t.Name == given).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, notFoundId ?? ErrorIds.TableNotInBackup,
                $"{where} holds no table '{given}'{Nearby(name, available)}.", given),
            _ => throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.TableNameAmbiguous,
                $"{where} holds several tables named '{given}' ({string.Join(", ", matches.Select(m => m.Qualified))}): name one with its schema.", given),
        };
    }

    private static string Nearby(string name, IReadOnlyCollection<TableName> available)
    {
        var same = available.Where(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)).Select(t => t.Qualified).ToList();
        if (same.Count > 0) return $" (names are case-sensitive: it holds {string.Join(", ", same)})";
        return available.Count is > 0 and <= 20 ? $" (it holds {string.Join(", ", available.Select(t => t.Qualified))})" : "";
    }
}
