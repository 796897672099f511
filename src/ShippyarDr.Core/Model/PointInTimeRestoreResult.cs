namespace ShippyarDr;

/// <summary>What a point-in-time recovery did: the base backup it started from, the target, where the data directory
/// is, what was moved aside, and, when the server was started, the point reached and how long each part took.</summary>
public sealed class PointInTimeRestoreResult
{
    public string BackupId { get; init; } = "";
    /// <summary>When the base backup ended (its stop position's time).</summary>
    public DateTimeOffset? BackupStopTime { get; init; }
    public string Repository { get; init; } = "";
    /// <summary>"latest", "time 2026-12-01 11:52:03.000000+00", "lsn 0/5000060", "xid 741", "name before-upgrade".</summary>
    public string Target { get; init; } = "";
    public string DataDirectory { get; init; } = "";
    /// <summary>Where each tablespace was put, by oid.</summary>
    public IReadOnlyDictionary<uint, string> Tablespaces { get; init; } = new Dictionary<uint, string>();
    /// <summary>Where what was in the data directory (and tablespace places) went: renamed, never deleted.</summary>
    public IReadOnlyList<string> MovedAside { get; init; } = Array.Empty<string>();
    /// <summary>The restore_command written into postgresql.auto.conf (no secret: keys by reference).</summary>
    public string RestoreCommand { get; init; } = "";
    /// <summary>Archived segments the recovery needs, checked present before the restore, and the last of them.</summary>
    public int SegmentsNeeded { get; init; }
    public string? LastSegmentNeeded { get; init; }
    public long Files { get; init; }
    public long Bytes { get; init; }
    public TimeSpan RestoreDuration { get; init; }
    /// <summary>Whether the server was started (and has ended recovery).</summary>
    public bool Started { get; init; }
    public int? Port { get; init; }
    public string? LogFile { get; init; }
    /// <summary>Where replay ended (started only).</summary>
    public RecoveryPoint? PointReached { get; init; }
    /// <summary>Archived WAL segments replayed (started only).</summary>
    public int? WalSegmentsReplayed => PointReached?.SegmentsReplayed;
    /// <summary>Where the recovering server prefetches WAL (beside the data directory); null once removed, after the
    /// recovery of a started server.</summary>
    public string? SpoolDirectory { get; init; }
    /// <summary>pg_control's system identifier of the recovered cluster (the base backup's).</summary>
    public string? SystemIdentifier { get; init; }
    /// <summary>From the start of the server to the end of recovery (started only).</summary>
    public TimeSpan? ReplayDuration { get; init; }
}
