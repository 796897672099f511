namespace ShippyarDr;

/// <summary>
/// What a server says of its WAL archiving: pg_stat_archiver's counts, and how much WAL waits in pg_wal. A failing
/// archive_command is counted in FailedCount; an archiver that dies on a signal is not (PostgreSQL restarts it), so a
/// growing ReadyCount is the other sign to watch.
/// </summary>
public sealed class ArchiverStatus
{
    public string Server { get; set; } = "";
    public string ArchiveMode { get; set; } = "";
    public string ArchiveCommand { get; set; } = "";
    public long ArchivedCount { get; set; }
    public string? LastArchivedWal { get; set; }
    public DateTimeOffset? LastArchivedTime { get; set; }
    public long FailedCount { get; set; }
    public string? LastFailedWal { get; set; }
    public DateTimeOffset? LastFailedTime { get; set; }
    /// <summary>The segment being written now.</summary>
    public string? CurrentWal { get; set; }
    /// <summary>Segments waiting to be archived (.ready in pg_wal/archive_status); null without the privilege to look.</summary>
    public int? ReadyCount { get; set; }
    /// <summary>Bytes in pg_wal; null without the privilege to look (pg_monitor).</summary>
    public long? WalBytes { get; set; }
    /// <summary>The last failure is newer than the last success: archiving is failing now.</summary>
    public bool Failing => LastFailedTime is { } failed && (LastArchivedTime is not { } archived || failed > archived);
}
