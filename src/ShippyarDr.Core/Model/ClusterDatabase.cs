namespace ShippyarDr;

/// <summary>One database inside a cluster backup: its archive file, its properties and what it held.</summary>
public sealed class ClusterDatabase
{
    public string Name { get; set; } = "";
    /// <summary>Name of its BackupFile in the same backup.</summary>
    public string File { get; set; } = "";
    public string? Owner { get; set; }
    public string? Encoding { get; set; }
    public string? Collation { get; set; }
    public string? CType { get; set; }
    public long Size { get; set; }
    /// <summary>Marked as a template in the source cluster (datistemplate): a cluster restore marks it again.</summary>
    public bool IsTemplate { get; set; }
    public List<TableRowCount> Tables { get; set; } = new();
    public List<string> ForeignKeys { get; set; } = new();
    public long TotalRows => Tables.Sum(t => t.Rows);
}
