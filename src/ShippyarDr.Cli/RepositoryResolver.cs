using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Cli;

/// <summary>
/// The one place a command line becomes a repository: --repository (a directory, relative to the working directory,
/// or s3://bucket/prefix) with the S3 options. Registered repository names and the configuration's default
/// repository plug in here, once the configuration exists.
/// </summary>
public static class RepositoryResolver
{
    public static readonly string[] Options = ["repository", "s3-endpoint", "s3-region", "s3-storage-class", "s3-timeout", "s3-sse", "s3-kms-key-id"];
    public static readonly string[] Flags = ["s3-path-style"];

    /// <summary>S3 credentials are never options: they come from the AWS default chain (AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY, a profile, an instance role), as for the AWS CLI.</summary>
    public static IBackupRepository Open(CliArguments args)
    {
        var location = args.Get("repository")
            ?? throw new CliUsageException("Give the repository: --repository <directory or s3://bucket/prefix>.");
        if (!S3Location.IsS3(location))
        {
            if (args.Get("s3-endpoint") is not null) throw new CliUsageException($"--s3-endpoint is for s3:// repositories, and {location} is not one.");
            return RepositoryFactory.Open(location);
        }
        return RepositoryFactory.Open(location, S3RepositoryOptions.From(args.Get("s3-endpoint"), args.Get("s3-region"), null, null,
            args.Has("s3-path-style"), args.Get("s3-sse"), args.Get("s3-kms-key-id"), args.GetDuration("s3-timeout"), args.Get("s3-storage-class")));
    }
}
