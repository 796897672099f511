namespace ShippyarDr;

/// <summary>What a file PostgreSQL archives is, by its name.</summary>
public enum WalFileKind
{
    /// <summary>A WAL segment: 24 hex digits (timeline, log, segment), wal_segment_size bytes.</summary>
    Segment,
    /// <summary>The last, incomplete segment of a timeline that ended by promotion ("….partial"). restore_command never asks for it.</summary>
    Partial,
    /// <summary>A timeline history file ("TTTTTTTT.history"): the timelines this one branched from, and where.</summary>
    History,
    /// <summary>A backup history file ("…segment.OFFSET.backup") written by pg_backup_stop: where a base backup started and stopped.</summary>
    BackupLabel,
}
