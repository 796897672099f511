namespace ShippyarDr.Repository.Cloud;

/// <summary>How to reach an S3 (or S3-compatible) store and how to write to it.</summary>
public sealed class S3RepositoryOptions
{
    /// <summary>AWS region (e.g. eu-central-1); for other stores the signing region (default us-east-1).</summary>
    public string? Region { get; init; }
    /// <summary>Endpoint of an S3-compatible store (MinIO, Ceph, Swift): http(s)://host:port.</summary>
    public string? Endpoint { get; init; }
    /// <summary>Path-style addressing (bucket in the path), which most S3-compatible stores need.</summary>
    public bool ForcePathStyle { get; init; }
    /// <summary>Explicit credentials; otherwise the AWS default chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    /// <summary>Storage class of data objects (manifests are always STANDARD, so they can be listed and read).</summary>
    public string StorageClass { get; init; } = "STANDARD";
    /// <summary>"AES256" or "aws:kms" (with KmsKeyId).</summary>
    public string? ServerSideEncryption { get; init; }
    public string? KmsKeyId { get; init; }
    /// <summary>Multipart part size; memory per upload is PartSize × (Concurrency + 1).</summary>
    public int PartSize { get; init; } = 16 * 1024 * 1024;
    public int Concurrency { get; init; } = 4;
    public int MaxRetries { get; init; } = 5;
}
