using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>How to reach an S3 (or S3-compatible) store and how to write to it.</summary>
public sealed class S3RepositoryOptions
{
    /// <summary>S3 refuses parts under 5 MiB (except the last) and uploads of more than 10,000 parts.</summary>
    public const int MinPartSize = 5 * 1024 * 1024;
    public const int MaxParts = 10_000;

    /// <summary>AWS region (e.g. eu-central-1); for other stores the signing region (default us-east-1).</summary>
    public string? Region { get; init; }
    /// <summary>Endpoint of an S3-compatible store (MinIO, Ceph, Swift): http(s)://host:port.</summary>
    public string? Endpoint { get; init; }
    /// <summary>Path-style addressing (bucket in the path), which most S3-compatible stores need.</summary>
    public bool ForcePathStyle { get; init; }
    /// <summary>Explicit credentials; otherwise the AWS default chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    /// <summary>A named AWS profile (shared credentials and config files) for the credentials, when none are given explicitly.</summary>
    public string? Profile { get; init; }
    /// <summary>With temporary credentials (STS, assumed roles).</summary>
    public string? SessionToken { get; init; }
    /// <summary>Storage class of data objects (manifests are always STANDARD, so they can be listed and read).</summary>
    public string StorageClass { get; init; } = "STANDARD";
    /// <summary>"AES256" or "aws:kms" (with KmsKeyId).</summary>
    public string? ServerSideEncryption { get; init; }
    public string? KmsKeyId { get; init; }
    /// <summary>Multipart part size; memory per upload is PartSize × (Concurrency + 1); the largest object is PartSize × 10,000.</summary>
    public int PartSize { get; init; } = 16 * 1024 * 1024;
    public int Concurrency { get; init; } = 4;
    /// <summary>Retries of a request (exponential backoff) and of a broken download (resumed where it stopped).</summary>
    public int MaxRetries { get; init; } = 5;

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long opening a connection to the store may take (name lookup and TCP connect).</summary>
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>
    /// How long a connection may go without progress: no answer to a request, no byte of a body arriving, no byte of
    /// an upload accepted. It bounds stalls, not transfers: a slow upload or download that keeps moving is never cut.
    /// </summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// The longest one S3 call waits on a store that stopped answering before it fails: each of its MaxRetries + 1
    /// attempts may wait ConnectTimeout + Timeout, and the SDK backs off before retry n by up to 2^(n-1) s (at most
    /// 20 s). With the defaults: 6 × (10 s + 60 s) + 31 s ≈ 7.5 min. Once a call has timed out like this, later calls
    /// to the same repository fail at once (see S3Outage), so cleaning up after it does not wait as long again.
    /// </summary>
    public TimeSpan MaxWait => (MaxRetries + 1) * (ConnectTimeout + Timeout)
        + TimeSpan.FromSeconds(Enumerable.Range(1, MaxRetries).Sum(n => Math.Min(Math.Pow(2, n - 1), 20)));

    /// <summary>
    /// Options as a user gives them (one place for every host and for registered repositories): an endpoint implies
    /// path-style addressing, which S3-compatible stores need; the timeout bounds connecting too.
    /// </summary>
    public static S3RepositoryOptions From(string? endpoint, string? region, string? accessKey, string? secretKey, bool pathStyle,
        string? serverSideEncryption, string? kmsKeyId, TimeSpan? timeout, string? storageClass, string? profile = null) => new()
    {
        Endpoint = endpoint, Region = region, ForcePathStyle = pathStyle || endpoint is not null,
        AccessKey = accessKey, SecretKey = secretKey, Profile = accessKey is null ? profile : null, StorageClass = storageClass ?? "STANDARD",
        ServerSideEncryption = serverSideEncryption, KmsKeyId = kmsKeyId,
        Timeout = timeout ?? DefaultTimeout,
        ConnectTimeout = timeout is { } t && t < DefaultConnectTimeout ? t : DefaultConnectTimeout,
    };

    /// <summary>Fails before any byte is sent: S3 would refuse small parts only when completing, after the whole upload.</summary>
    public void Validate()
    {
        if (PartSize < MinPartSize)
            throw Invalid($"PartSize {PartSize} is below S3's minimum part size of 5 MiB ({MinPartSize}).");
        if (Concurrency < 1) throw Invalid($"Concurrency must be at least 1 (got {Concurrency}).");
        if (MaxRetries < 0) throw Invalid($"MaxRetries must not be negative (got {MaxRetries}).");
        if (ConnectTimeout <= TimeSpan.Zero) throw Invalid($"The S3 connect timeout must be positive (got {ConnectTimeout}).");
        if (Timeout <= TimeSpan.Zero) throw Invalid($"The S3 timeout must be positive (got {Timeout}).");
        if ((AccessKey is null) != (SecretKey is null)) throw Invalid("Give both the S3 access key and secret key, or neither.");
        if (Endpoint is not null && !(Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidS3Endpoint,
                $"S3 endpoint '{Endpoint}' is not an absolute http or https URL such as https://minio.example.com:9000.", Endpoint);
    }

    private static ShippyarException Invalid(string message) => new(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidS3Options, message);
}
