namespace ShippyarDr;

/// <summary>
/// Why a backup was taken; each tier is a preset (see TierPreset). Daily: one database, pg_dump custom format.
/// Weekly: the whole cluster (globals and every database), encrypted. Safety: taken by a restore before it
/// replaces a database. Base: a physical base backup of the whole cluster (every tablespace and the WAL that makes it
/// consistent), the starting point of point-in-time recovery.
/// </summary>
public enum BackupTier
{
    Daily,
    Weekly,
    Safety,
    Base,
}
