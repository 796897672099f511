using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>Turns what a user typed (-Repository) into a repository.</summary>
public static class RepositoryFactory
{
    public static IBackupRepository Open(string location)
    {
        if (string.IsNullOrWhiteSpace(location))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "InvalidRepository", "Repository must not be empty.");
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "UnsupportedRepository",
                $"Repository '{location}': the scheme '{location[..scheme]}' is not supported by this version; give a directory path.", location);
        return new FileSystemRepository(location);
    }
}
