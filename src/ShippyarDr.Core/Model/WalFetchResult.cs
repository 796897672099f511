namespace ShippyarDr;

public enum WalFetchOutcome
{
    /// <summary>The file was found, checked (seal, chunk digests, both SHA-256s) and written to the destination.</summary>
    Fetched,
    /// <summary>The archive does not hold the file: an ordinary answer, PostgreSQL asks for files that do not exist.</summary>
    NotInArchive,
}

/// <summary>What one fetch did.</summary>
public sealed class WalFetchResult
{
    public string Name { get; init; } = "";
    public WalFetchOutcome Outcome { get; init; }
    public string Repository { get; init; } = "";
    public long Size { get; init; }
    /// <summary>The file's SHA-256, as its authenticated manifest records it and the fetch checked.</summary>
    public string? Sha256 { get; init; }
    /// <summary>How the manifest was authenticated (or that it was not), as a sentence.</summary>
    public string Authenticity { get; init; } = "";
    public DateTimeOffset? ArchivedAt { get; init; }
    public TimeSpan Duration { get; init; }
}
