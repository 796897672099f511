# Descriptions of parameters many cmdlets share; a cmdlet's own data file wins where it describes one too.
@{
    Parameters = @{
        S3Endpoint           = 'Endpoint of an S3-compatible store (http(s)://host:port) for s3:// repositories; implies path-style addressing.'
        S3Region             = 'AWS region of s3:// repositories (or the signing region of an S3-compatible store). Defaults to AWS_REGION.'
        S3Credential         = 'Access key (user name) and secret key (password) for s3:// repositories. Without it the AWS default chain applies (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).'
        S3PathStyle          = 'Path-style addressing for s3:// repositories (bucket in the path), as most S3-compatible stores need.'
        ServerSideEncryption = 'Server-side encryption of objects written to s3:// repositories: AES256 or aws:kms (with -KmsKeyId). Independent of ShippyarDr''s own client-side encryption.'
        KmsKeyId             = 'KMS key id or ARN for -ServerSideEncryption aws:kms.'
    }
}
