namespace ShippyarDr;

/// <summary>
/// What a physical base backup is, beyond what every backup records: where in the WAL it starts and becomes
/// consistent, the WAL it carries, its tablespaces and the server's own backup_manifest. Restored alone it reaches
/// <see cref="StopLsn"/> with the WAL it holds (no archive needed); to go further, recovery replays the WAL archive
/// from <see cref="ArchiveNeededFrom"/> on (on <see cref="Timeline"/> and any later timeline).
/// </summary>
public sealed class PhysicalBackupInfo
{
    /// <summary>The timeline the backup started on (BASE_BACKUP's start position).</summary>
    public int Timeline { get; set; }
    /// <summary>The timeline of the stop position (differs from <see cref="Timeline"/> only when a standby was promoted meanwhile).</summary>
    public int StopTimeline { get; set; }
    /// <summary>The redo point of the backup's checkpoint, "0/2000028": replay starts here.</summary>
    public string StartLsn { get; set; } = "";
    /// <summary>Where the backup ends: a restore is consistent once replay has passed this point.</summary>
    public string StopLsn { get; set; } = "";
    /// <summary>When the backup's checkpoint started, by the server's clock (backup_label's START TIME).</summary>
    public DateTimeOffset? StartTime { get; set; }
    /// <summary>When the server reported the stop position, by its clock (taken right after; never before the real stop).
    /// A recovery target must lie after it.</summary>
    public DateTimeOffset? StopTime { get; set; }
    /// <summary>The server's WAL segment size in bytes (16 MiB unless initdb was told otherwise).</summary>
    public long WalSegmentSize { get; set; }
    /// <summary>The first and last WAL segment the backup holds and needs (the ones holding <see cref="StartLsn"/> and <see cref="StopLsn"/>).</summary>
    public string FirstWalSegment { get; set; } = "";
    public string LastWalSegment { get; set; } = "";
    /// <summary>Recovery past <see cref="StopLsn"/> needs every archived segment from this one on: the backup's copy of the
    /// last segment ends where the backup did.</summary>
    public string ArchiveNeededFrom { get; set; } = "";
    /// <summary>The role the cluster was initialized with (pg_authid oid 10), which a restored copy is entered as.</summary>
    public string? BootstrapSuperuser { get; set; }
    /// <summary>The server's backup_label, byte for byte (it is also the first file of the base tar).</summary>
    public string? BackupLabel { get; set; }
    /// <summary>Whether the server checked data page checksums while sending (it does when the cluster has them).</summary>
    public bool DataChecksums { get; set; }
    /// <summary>The stored object holding the data directory (base.tar), without pg_wal's segments.</summary>
    public string BaseFile { get; set; } = "";
    /// <summary>The stored object holding the WAL segments from <see cref="FirstWalSegment"/> to <see cref="LastWalSegment"/> (pg_wal.tar).</summary>
    public string WalFile { get; set; } = "";
    /// <summary>The stored object holding the server's backup_manifest (SHA-256 of every file).</summary>
    public string ManifestFile { get; set; } = "";
    /// <summary>Every tablespace other than pg_default and pg_global, with its tar.</summary>
    public List<PhysicalTablespace> Tablespaces { get; set; } = new();
}

/// <summary>A tablespace of a base backup: its oid, name, where it was on the server, and the stored tar of its files.</summary>
public sealed class PhysicalTablespace
{
    public uint Oid { get; set; }
    public string? Name { get; set; }
    public string Location { get; set; } = "";
    public string File { get; set; } = "";
}
