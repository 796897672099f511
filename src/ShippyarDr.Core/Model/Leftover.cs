namespace ShippyarDr;

/// <summary>
/// A database a ShippyarDr run created on a server (staging, scratch, replaced copy), or a partial backup in a
/// repository. A leftover that a live run still owns, or that someone is connected to, is never removed.
/// </summary>
public sealed class Leftover
{
    public LeftoverKind Kind { get; set; }
    /// <summary>The database name; for a partial backup "&lt;database&gt;/&lt;backup id&gt;"; for a scratch cluster its directory.</summary>
    public string Name { get; set; } = "";
    /// <summary>host:port of the server holding the database (for a scratch cluster, of its server while it runs); null for a partial backup.</summary>
    public string? Server { get; set; }
    /// <summary>The repository holding a partial backup; null for databases.</summary>
    public string? Repository { get; set; }
    /// <summary>Bytes on disk (pg_database_size, or a scratch cluster's files); null when unknown (no CONNECT privilege, partial backups).</summary>
    public long? Size { get; set; }
    /// <summary>The token of the run that created it (in the database name and in that run's application_name); null for names from before tokens.</summary>
    public string? RunToken { get; set; }
    /// <summary>
    /// True while the run that made it still goes: its session ("ShippyarDr run &lt;token&gt;") is in pg_stat_activity.
    /// For a partial backup: it started less than a day ago and may still be being written. For a scratch cluster: the
    /// process verifying into it still runs.
    /// </summary>
    public bool OwnedByLiveRun { get; set; }
    /// <summary>Other sessions connected to the database now.</summary>
    public int Sessions { get; set; }
    /// <summary>The backup being restored or verified (or, for a partial backup, its id).</summary>
    public string? BackupId { get; set; }
    /// <summary>The database a staging or replaced copy belongs to.</summary>
    public string? TargetDatabase { get; set; }
    public bool InUse => OwnedByLiveRun || Sessions > 0;

    public override string ToString() => $"{Kind} {Name} on {Server ?? Repository}";
}
