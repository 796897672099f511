using System.Management.Automation;
using ShippyarDr.Audit;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// Cmdlets that open repositories: a registered name (Register-ShippyarRepository), a directory, or
/// s3://bucket/prefix. The S3 parameters matter only for S3 repositories and override a registration's settings one
/// by one; without them and without a registration the AWS default chain (AWS_ACCESS_KEY_ID…, profiles, instance
/// roles) and AWS_REGION apply, as with the AWS CLI.
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

    private RepositoryRegistry? _registry;

    /// <summary>The configuration of named repositories, read once per command (and checked: see ConfigurationFile).</summary>
    private protected RepositoryRegistry Registry => _registry ??= RepositoryRegistry.Load();

    /// <summary>
    /// The one place a -Repository or -Destination value becomes a repository's settings: a registered name (unless a
    /// path of that name exists, which wins with a warning), an s3:// URL, or a path resolved against the current
    /// location. A registered location, however it was given, gets its registration's settings.
    /// </summary>
    private protected RepositorySettings ResolveRepository(string nameOrLocation, IOperationReporter? reporter = null)
        => Registry.Resolve(nameOrLocation, ResolvePath, reporter);

    /// <summary>Opens a repository; <paramref name="storageClass"/> applies to data objects written to S3.</summary>
    private protected IBackupRepository OpenRepository(string nameOrLocation, string? storageClass = null, IOperationReporter? reporter = null)
        => OpenRepository(ResolveRepository(nameOrLocation, reporter), storageClass);

    /// <summary>Opens resolved settings: this command's S3 parameters over the registered ones. Safe off the pipeline thread.</summary>
    private protected IBackupRepository OpenRepository(RepositorySettings settings, string? storageClass = null)
    {
        var credential = S3Credential?.GetNetworkCredential();
        return settings.Open(new S3Settings
        {
            Endpoint = S3Endpoint, Region = S3Region, PathStyle = S3PathStyle.IsPresent ? true : null,
            ServerSideEncryption = ServerSideEncryption, KmsKeyId = KmsKeyId, Timeout = S3Timeout,
        }, credential is null ? null : (credential.UserName, credential.Password), storageClass);
    }

    /// <summary>
    /// The one call that audits an operation (Audit/AuditScope.Run) and writes its result: <paramref name="work"/> names
    /// the repositories with <c>audit.Into(settings, repository)</c> as it opens them and the backup with
    /// <c>audit.About(backup)</c>, and returns its result, or null when it did nothing (declined, -WhatIf). One record per
    /// audit store, Succeeded, Failed (with the error) or Cancelled, written before the result goes down the pipeline
    /// (so a downstream Select-Object -First cannot make a done operation look failed); an audit store that fails is a
    /// warning, never this command's failure.
    /// </summary>
    private protected void Audited<T>(AuditOperation operation, IOperationReporter reporter, Func<AuditScope, T?> work, bool enumerateCollection = false)
        where T : class
    {
        if (AuditScope.Run(operation, reporter, work, Cancel) is { } result) WriteObject(result, enumerateCollection);
    }
}
