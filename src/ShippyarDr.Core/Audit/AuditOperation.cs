namespace ShippyarDr.Audit;

/// <summary>What an audit record is about. Names are stable: they are stored as text in the catalog and the log.</summary>
public enum AuditOperation
{
    /// <summary>A backup of a database (Daily, Safety) or of the cluster (Weekly, Base).</summary>
    Backup,
    /// <summary>A verification that restores nothing (Checksum, Catalog).</summary>
    Verify,
    /// <summary>A verification that restores into scratch (Restore, Recovery): a restore drill.</summary>
    Drill,
    /// <summary>A backup restored as a database.</summary>
    Restore,
    /// <summary>A cluster (Weekly) backup restored into a server, or a base backup into a data directory.</summary>
    RestoreCluster,
    /// <summary>A base backup restored and recovered from the WAL archive to a target.</summary>
    PointInTimeRestore,
    /// <summary>A retention run (what it deleted).</summary>
    Retention,
    /// <summary>Rows of tables restored into an existing database.</summary>
    TableDataRestore,
    /// <summary>A backup copied into another repository.</summary>
    Copy,
    /// <summary>One backup removed by hand (not by a retention run).</summary>
    Remove,
}
