# Descriptions of parameters many cmdlets share; a cmdlet's own data file wins where it describes one too.
@{
    Parameters = @{
        S3Endpoint           = 'Endpoint of an S3-compatible store (http(s)://host:port) for s3:// repositories; implies path-style addressing.'
        S3Region             = 'AWS region of s3:// repositories (or the signing region of an S3-compatible store). Defaults to AWS_REGION.'
        S3Credential         = 'Access key (user name) and secret key (password) for s3:// repositories. Without it the AWS default chain applies (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).'
        S3PathStyle          = 'Path-style addressing for s3:// repositories (bucket in the path), as most S3-compatible stores need.'
        ServerSideEncryption = 'Server-side encryption of objects written to s3:// repositories: AES256 or aws:kms (with -KmsKeyId). Independent of ShippyarDr''s own client-side encryption.'
        KmsKeyId             = 'KMS key id or ARN for -ServerSideEncryption aws:kms.'
        S3Timeout            = 'How long a connection to an s3:// repository may go without progress before the request fails: no answer to a request, no byte of a download arriving, no byte of an upload accepted (default 60s; connecting gets at most 10s of it). Slow transfers that keep moving are never cut. A request is tried 6 times (5 retries with backoff of up to 1, 2, 4, 8 and 16 s), so a store that stopped answering fails after at most 6 × (connect timeout + S3Timeout) + 31 s: about 7.5 minutes with the defaults, 2.5 minutes with -S3Timeout 10s. The error is RepositoryTimeout, naming the endpoint and the timeout; later calls to that repository in the same command fail at once. Durations: 30s, 2m, or a TimeSpan.'
    }
}
