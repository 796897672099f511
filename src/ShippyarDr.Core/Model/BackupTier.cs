namespace ShippyarDr;

/// <summary>
/// Why a backup was taken. Daily: one database, pg_dump custom format. Safety: taken by a restore before it
/// replaces a database. (Weekly cluster backups arrive with the storage pipeline.)
/// </summary>
public enum BackupTier
{
    Daily,
    Safety,
}
