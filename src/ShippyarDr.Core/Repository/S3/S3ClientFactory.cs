using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// S3 clients configured so third-party stores get the bytes we send: the SDK v4 defaults (aws-chunked bodies with
/// CRC32 trailers) are stored verbatim as object data by some stores and refused by others, so checksums are sent
/// only when required (every write is verified by our own SHA-256 instead) and uploads disable chunk encoding.
/// </summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(S3RepositoryOptions options)
    {
        options.Validate();
        // Belt and braces: no S3 error we wrap should ever echo these, but if one did it is masked.
        SecretRedactor.Register(options.SecretKey);
        SecretRedactor.Register(options.SessionToken);
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = options.MaxRetries,
            RetryMode = RequestRetryMode.Standard,
            ForcePathStyle = options.ForcePathStyle,
            // Connect and no-progress timeouts on every connection: the SDK's own S3 default waits forever.
            HttpClientFactory = new S3HttpClientFactory(options.ConnectTimeout, options.Timeout),
        };
        if (options.Endpoint is not null)
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        if (options.AccessKey is null || options.SecretKey is null)
            return options.Profile is null ? new AmazonS3Client(config) : new AmazonS3Client(ProfileCredentials(options.Profile), config);
        AWSCredentials credentials = options.SessionToken is null
            ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
            : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
        return new AmazonS3Client(credentials, config);
    }

    /// <summary>A named profile of the shared credentials and config files (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE honoured).</summary>
    private static AWSCredentials ProfileCredentials(string profile)
    {
        // Read now, not when the SDK first looked: a scheduler or a test may set it for this run only.
        var file = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
        var chain = string.IsNullOrEmpty(file) ? new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain()
            : new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain(file);
        if (chain.TryGetAWSCredentials(profile, out var credentials)) return credentials;
        throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.S3ProfileNotFound,
            $"AWS profile '{profile}' is not in the shared credentials or config files (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE).", profile);
    }
}
