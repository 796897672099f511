using System.Text.Json.Serialization;

namespace ShippyarDr;

/// <summary>
/// A complete backup, as its manifest describes it. The manifest is written last, so a BackupInfo exists only
/// for a backup whose data was fully stored and checksummed.
/// </summary>
public sealed class BackupInfo
{
    /// <summary>2 since the "backup/" layout, chunk digests and authenticated manifests; 1 before.</summary>
    public int ManifestVersion { get; set; } = 2;
    /// <summary>Logical (pg_dump archives) or Physical (a base backup); manifests without it are logical.</summary>
    public BackupKind Kind { get; set; }
    public string Id { get; set; } = "";
    public string Database { get; set; } = "";
    public BackupTier Tier { get; set; }
    /// <summary>"Complete": only complete backups get a manifest.</summary>
    public string Status { get; set; } = "Complete";
    /// <summary>host:port the backup was taken from.</summary>
    public string Server { get; set; } = "";
    public string ServerVersion { get; set; } = "";
    public int ServerVersionNum { get; set; }
    /// <summary>pg_control's system identifier: tells clusters apart even when host names change.</summary>
    public string? SystemIdentifier { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset EndTime { get; set; }
    public TimeSpan Duration => EndTime - StartTime;
    /// <summary>Bytes stored, all files.</summary>
    public long Size { get; set; }
    /// <summary>pg_database_size() when the backup started.</summary>
    public long DatabaseSize { get; set; }
    /// <summary>Database properties pg_dump leaves out unless --create: a full restore recreates them.</summary>
    public string? DatabaseOwner { get; set; }
    public string? Encoding { get; set; }
    public string? Collation { get; set; }
    public string? CType { get; set; }
    public List<BackupFile> Files { get; set; } = new();
    public List<TableRowCount> Tables { get; set; } = new();
    /// <summary>Foreign key constraints the archive creates, as "schema.table constraint".</summary>
    public List<string> ForeignKeys { get; set; } = new();
    public Dictionary<string, string> ToolVersions { get; set; } = new();
    /// <summary>Cluster backups (Weekly): every database they hold. Empty for single-database backups.</summary>
    public List<ClusterDatabase> Databases { get; set; } = new();
    /// <summary>Cluster backups: databases of the cluster that are not in it, with why (one that accepts no connections).</summary>
    public List<string> ExcludedDatabases { get; set; } = new();
    /// <summary>Cluster backups taken by a login that is not a superuser (a backup_role member): pg_dumpall cannot read
    /// pg_authid then, so the roles are in it without their passwords.</summary>
    public bool RolePasswordsOmitted { get; set; }
    /// <summary>How long the tier keeps it ("90d"); what retention will act on.</summary>
    public string? Retention { get; set; }
    /// <summary>Storage class asked of cloud repositories for the data objects (STANDARD_IA, GLACIER…).</summary>
    public string? StorageClass { get; set; }
    /// <summary>S3 Object Lock: the stored objects cannot be deleted before this time (null: not locked). Retention
    /// never tries to delete a backup before it.</summary>
    public DateTimeOffset? ObjectLockUntil { get; set; }
    /// <summary>The mode of that lock (Compliance: nobody can lift it; Governance: those allowed to bypass it can). Copies
    /// into another S3 repository are locked the same way.</summary>
    public Repository.ObjectLockMode? ObjectLockMode { get; set; }
    /// <summary>Physical base backups: their WAL positions, tablespaces and objects. Null for logical backups.</summary>
    public PhysicalBackupInfo? Physical { get; set; }
    /// <summary>Whole-cluster backups: Weekly (every database) and Base (the cluster's files).</summary>
    public bool IsCluster => Kind == BackupKind.Physical || Databases.Count > 0;

    /// <summary>When a restore took this backup to protect a database it replaced, the restore's backup id.</summary>
    public string? ReasonBackupId { get; set; }

    /// <summary>
    /// The recipients' public keys (armored), for backups encrypted to public keys: a restore encrypts the safety
    /// backup of what it replaces to the same keys. Authentic because the manifest is.
    /// </summary>
    public string? RecipientKeys { get; set; }

    /// <summary>The repository this BackupInfo was read from or written to (not stored in the manifest).</summary>
    [JsonIgnore]
    public string Repository { get; set; } = "";

    /// <summary>The backup's folder in its repository (not stored in the manifest: it is where the manifest was found).</summary>
    [JsonIgnore]
    public string? Prefix { get; internal set; }

    /// <summary>What authenticates the manifest in its folder (a signature, a MAC); not yet checked: verification and restore check it.</summary>
    [JsonIgnore]
    public ManifestAuthentication Authentication { get; internal set; }

    public long TotalRows => Tables.Sum(t => t.Rows);

    /// <summary>The same backup as another repository holds it (the manifest is identical; only where differs).</summary>
    public BackupInfo InRepository(string location)
    {
        var copy = (BackupInfo)MemberwiseClone();
        copy.Repository = location;
        return copy;
    }

    public override string ToString() => Id;
}
