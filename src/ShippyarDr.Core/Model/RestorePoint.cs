namespace ShippyarDr;

/// <summary>A named point in the WAL (pg_create_restore_point) that a point-in-time recovery can stop at.</summary>
public sealed class RestorePoint
{
    public string Name { get; set; } = "";
    /// <summary>host:port of the server.</summary>
    public string Server { get; set; } = "";
    /// <summary>Where in the WAL it was written, e.g. "0/3000090".</summary>
    public string Lsn { get; set; } = "";
    /// <summary>The WAL segment holding it: recovery to the point needs that segment in the archive.</summary>
    public string WalFile { get; set; } = "";
    public int Timeline { get; set; }
    public DateTimeOffset Time { get; set; }
    /// <summary>Whether the server archives WAL at all (archive_mode): without it the point cannot be recovered to.</summary>
    public bool Archiving { get; set; }
    public override string ToString() => $"{Name} at {Lsn}";
}
