using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.Cloud;

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

    /// <summary>Fails before any byte is sent: S3 would refuse small parts only when completing, after the whole upload.</summary>
    public void Validate()
    {
        if (PartSize < MinPartSize)
            throw Invalid($"PartSize {PartSize} is below S3's minimum part size of 5 MiB ({MinPartSize}).");
        if (Concurrency < 1) throw Invalid($"Concurrency must be at least 1 (got {Concurrency}).");
        if (MaxRetries < 0) throw Invalid($"MaxRetries must not be negative (got {MaxRetries}).");
        if ((AccessKey is null) != (SecretKey is null)) throw Invalid("Give both the S3 access key and secret key, or neither.");
        if (Endpoint is not null && !(Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "InvalidS3Endpoint",
                $"S3 endpoint '{Endpoint}' is not an absolute http or https URL such as https://minio.example.com:9000.", Endpoint);
    }

    private static ShippyarException Invalid(string message) => new(ShippyarErrorKind.InvalidArgument, "InvalidS3Options", message);
}
