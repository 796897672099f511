namespace ShippyarDr;

/// <summary>Rows of one table as the dump holds them: counted from the archive's data, not estimated.</summary>
public sealed class TableRowCount
{
    public string Schema { get; set; } = "";
    public string Name { get; set; } = "";
    public long Rows { get; set; }
    public string QualifiedName => $"{Schema}.{Name}";
    public override string ToString() => $"{QualifiedName}={Rows}";
}
