using ShippyarDr.Authentication;
using ShippyarDr.Connection;

namespace ShippyarDr.TableData;

/// <summary>What a partial data restore is asked for: rows of some tables of a backup, back into a live database.</summary>
public sealed class TableDataRequest
{
    public required BackupInfo Backup { get; init; }
    /// <summary>"table" or "schema.table"; several are written parents first (by the target's foreign keys), in one transaction.</summary>
    public required IReadOnlyList<string> Tables { get; init; }
    /// <summary>A SQL condition choosing the rows, run in the scratch copy only, in a read-only transaction; null: every row. It selects
    /// the rows of the tables that reference none of the others; a table with a foreign key onto another of them takes the rows
    /// that reference the rows selected there.</summary>
    public string? Filter { get; init; }
    /// <summary>Which database of a cluster backup holds the tables (by default the one named like the target, or the only one).</summary>
    public string? SourceDatabase { get; init; }
    public required string TargetDatabase { get; init; }
    public required PgConnectionInfo Connection { get; init; }
    public ConflictRule OnConflict { get; init; } = ConflictRule.DoNothing;
    /// <summary>Restore into the scratch copy and count against the target, but write nothing to it.</summary>
    public bool WhatIf { get; init; }
    public BackupKeys Keys { get; init; } = BackupKeys.None;
    /// <summary>For a base backup: recover its scratch copy to this point through the WAL archive first (null: the backup's own
    /// consistent point). Needs <see cref="RestoreCommand"/>.</summary>
    public Recovery.RecoveryTarget? RecoveryTarget { get; init; }
    /// <summary>How the scratch cluster fetches WAL for <see cref="RecoveryTarget"/> (shippyar-dr wal-fetch, keys by reference).</summary>
    public Recovery.RestoreCommandLine? RestoreCommand { get; init; }
}
