namespace ShippyarDr;

/// <summary>One table after a restore: rows expected from the manifest, rows found, newest created_at.</summary>
public sealed class TableRestoreCheck
{
    public string Table { get; set; } = "";
    public long ExpectedRows { get; set; }
    public long RestoredRows { get; set; }
    public bool RowsMatch => ExpectedRows == RestoredRows;
    /// <summary>max(created_at) for tables that have the column: how recent the restored data is.</summary>
    public DateTimeOffset? LatestCreatedAt { get; set; }
}
