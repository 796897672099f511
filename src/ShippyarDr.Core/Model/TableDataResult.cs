namespace ShippyarDr;

/// <summary>
/// One table of a partial data restore: the rows the backup's copy selected, and what became of them in the target.
/// With WhatIf nothing was written: the counts say what the restore would do against the target's current rows.
/// </summary>
public sealed class TableDataResult
{
    public string Table { get; set; } = "";
    public string BackupId { get; set; } = "";
    public string SourceDatabase { get; set; } = "";
    public string TargetDatabase { get; set; } = "";
    public string Server { get; set; } = "";
    public ConflictRule OnConflict { get; set; }
    /// <summary>How the rows were selected: the row filter (run in the scratch copy only), or for a table that references another
    /// of those restored, the rows that reference the rows selected there; null: every row.</summary>
    public string? Filter { get; set; }
    public long RowsSelected { get; set; }
    public long RowsInserted { get; set; }
    public long RowsUpdated { get; set; }
    /// <summary>Rows whose key the target held already and that were left as the target has them.</summary>
    public long RowsSkipped { get; set; }
    /// <summary>Rows whose primary key the target held already (updated or skipped; with the rule that fails, what would fail).</summary>
    public long RowsConflicting { get; set; }
    public bool WhatIf { get; set; }
    public TimeSpan Duration { get; set; }
    public override string ToString() => $"{Table}: {RowsSelected} selected, {RowsInserted} inserted, {RowsUpdated} updated, {RowsSkipped} skipped{(WhatIf ? " (what if)" : "")}";
}
