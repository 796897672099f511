using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Cli;

/// <summary>
/// The one place a command line becomes a repository, through the engine's registry as the cmdlets' -Repository:
/// --repository is a registered name (a bare word is always a name), an absolute path or s3://bucket/prefix, and
/// without it the configuration's default repository (SHIPPYAR_CONFIG names the configuration file). A relative path
/// is refused: PostgreSQL runs this in the data directory. The S3 options override the registered S3 settings.
/// </summary>
public static class RepositoryResolver
{
    public static readonly string[] Options = ["repository", "s3-endpoint", "s3-region", "s3-storage-class", "s3-timeout", "s3-sse", "s3-kms-key-id"];
    public static readonly string[] Flags = ["s3-path-style"];

    public static RepositorySettings Resolve(CliArguments args, IOperationReporter reporter)
        => RepositoryRegistry.Load().ResolveUnattended(args.Get("repository"), reporter);

    /// <summary>S3 credentials are never options: they come from the registration's reference or the AWS default chain
    /// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role), as for the AWS CLI.</summary>
    public static IBackupRepository Open(CliArguments args, RepositorySettings settings)
    {
        if (!S3Location.IsS3(settings.Location) && args.Get("s3-endpoint") is not null)
            throw new CliUsageException($"--s3-endpoint is for s3:// repositories, and {settings} ({settings.Location}) is not one.");
        return settings.Open(new S3Settings
        {
            Endpoint = args.Get("s3-endpoint"), Region = args.Get("s3-region"), PathStyle = args.Has("s3-path-style") ? true : null,
            ServerSideEncryption = args.Get("s3-sse"), KmsKeyId = args.Get("s3-kms-key-id"), Timeout = args.GetDuration("s3-timeout"),
        }, storageClass: args.Get("s3-storage-class"));
    }
}
