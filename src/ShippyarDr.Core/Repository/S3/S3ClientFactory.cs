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
        if (options.AccessKey is null || options.SecretKey is null) return new AmazonS3Client(config);
        AWSCredentials credentials = options.SessionToken is null
            ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
            : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
        return new AmazonS3Client(credentials, config);
    }
}
