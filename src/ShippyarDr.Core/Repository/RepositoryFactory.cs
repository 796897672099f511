using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>Turns what a user typed (-Repository) into a repository.</summary>
public static class RepositoryFactory
{
    public static IBackupRepository Open(string location) => Open(location, null);

    /// <summary>A directory path, or s3://bucket/prefix with <paramref name="s3"/> saying how to reach the store.</summary>
    public static IBackupRepository Open(string location, S3.S3RepositoryOptions? s3)
    {
        if (string.IsNullOrWhiteSpace(location))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRepository, "Repository must not be empty.");
        if (S3.S3Location.IsS3(location)) return new S3.S3Repository(location, s3);
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.UnsupportedRepository,
                $"Repository '{location}': the scheme '{location[..scheme]}' is not supported; give a directory path or s3://bucket/prefix.", location);
        return new FileSystemRepository(location);
    }
}
