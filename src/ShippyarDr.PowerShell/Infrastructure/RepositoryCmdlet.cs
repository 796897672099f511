using System.Management.Automation;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// Cmdlets that open repositories: a directory, or s3://bucket/prefix. The S3 parameters matter only for S3
/// repositories; without them the AWS default chain (AWS_ACCESS_KEY_ID…, profiles, instance roles) and
/// AWS_REGION apply, as with the AWS CLI.
/// </summary>
public abstract class RepositoryCmdlet : ShippyarCmdlet
{
    /// <summary>Endpoint of an S3-compatible store (MinIO, Ceph, Swift…).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? S3Endpoint { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? S3Region { get; set; }

    /// <summary>Access key as the user name, secret key as the password.</summary>
    [Parameter]
    [Credential]
    public PSCredential? S3Credential { get; set; }

    /// <summary>Path-style addressing; implied by -S3Endpoint, which S3-compatible stores need.</summary>
    [Parameter]
    public SwitchParameter S3PathStyle { get; set; }

    [Parameter]
    [ValidateSet("AES256", "aws:kms")]
    public string? ServerSideEncryption { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KmsKeyId { get; set; }

    /// <summary>How long an S3 connection may go without progress (default 60 s); connecting gets at most 10 s of it.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? S3Timeout { get; set; }

    /// <summary>Opens a repository; <paramref name="storageClass"/> applies to data objects written to S3.</summary>
    private protected IBackupRepository OpenRepository(string location, string? storageClass = null)
    {
        // URLs (s3://…, and schemes the factory refuses by name) are not paths; everything else is a directory.
        if (!location.Contains("://", StringComparison.Ordinal))
            return RepositoryFactory.Open(string.IsNullOrWhiteSpace(location) ? location : ResolvePath(location));
        if (!S3Location.IsS3(location)) return RepositoryFactory.Open(location);
        var credential = S3Credential?.GetNetworkCredential();
        return RepositoryFactory.Open(location, S3RepositoryOptions.From(S3Endpoint, S3Region, credential?.UserName, credential?.Password,
            S3PathStyle, ServerSideEncryption, KmsKeyId, S3Timeout, storageClass));
    }
}
