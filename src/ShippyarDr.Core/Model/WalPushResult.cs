namespace ShippyarDr;

public enum WalPushOutcome
{
    /// <summary>The file is now archived (data, then its sealed manifest, both durable).</summary>
    Stored,
    /// <summary>The archive held the identical file already (PostgreSQL archives a file again after a crash): nothing was written.</summary>
    AlreadyArchived,
}

/// <summary>What one push did.</summary>
public sealed class WalPushResult
{
    public string Name { get; init; } = "";
    public WalFileKind Kind { get; init; }
    public WalPushOutcome Outcome { get; init; }
    public string Repository { get; init; } = "";
    /// <summary>The key of the file's manifest in the repository.</summary>
    public string ManifestKey { get; init; } = "";
    public long PlainSize { get; init; }
    /// <summary>Bytes stored (after compression and encryption); 0 when nothing was written.</summary>
    public long StoredSize { get; init; }
    public string PlainSha256 { get; init; } = "";
    public TimeSpan Duration { get; init; }
}
