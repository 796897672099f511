namespace ShippyarDr;

/// <summary>
/// What a partial data restore does with a row whose primary key the target table already holds. DoNothing keeps the
/// target's row; Update overwrites it with the backup's (rows that are equal already count as skipped); Error fails the
/// whole restore, and nothing is written.
/// </summary>
public enum ConflictRule
{
    DoNothing,
    Update,
    Error,
}
