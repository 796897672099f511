using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// Turns what the SDK throws into errors a DBA can act on: a missing bucket, refused credentials and an unreachable
/// store need different fixes, and a raw SDK exception says none of that.
/// </summary>
internal static class S3Errors
{
    public static bool IsS3Failure(Exception e) =>
        e is AmazonServiceException or HttpRequestException or IOException or TaskCanceledException;

    public const string TimeoutId = ErrorIds.RepositoryTimeout;

    public static ShippyarException Translate(Exception e, string bucket, string? key, string repository, S3RepositoryOptions options)
    {
        var where = key is null ? repository : $"s3://{bucket}/{key}";
        if (TimedOut(e, $"Repository {repository}{(key is null ? "" : $" ({where})")}", where, options) is { } timeout) return timeout;
        if (e is AmazonS3Exception s3)
        {
            if (s3.ErrorCode == "NoSuchBucket")
                return new(ShippyarErrorKind.ObjectNotFound, ErrorIds.RepositoryNotFound, $"Bucket {bucket} does not exist (repository {repository}).", repository, e);
            if (s3.ErrorCode == "NoSuchKey" || (s3.StatusCode == HttpStatusCode.NotFound && key is not null))
                return new(ShippyarErrorKind.ObjectNotFound, ErrorIds.BackupFileMissing, $"{where} is missing from the repository.", where, e);
            // 403 also covers unknown access keys, bad signatures and expired session tokens.
            if (s3.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
                return new(ShippyarErrorKind.AuthenticationError, ErrorIds.RepositoryAccessDenied,
                    $"Access to {where} was refused ({s3.ErrorCode}): check the S3 credentials and that they may list, read and write the bucket. {s3.Message}", where, e);
        }
        return new(ShippyarErrorKind.ConnectionError, ErrorIds.RepositoryUnreachable, $"Repository {repository} cannot be reached ({where}): {e.Message}", where, e);
    }

    /// <summary>
    /// ObjectLockNotEnabled when a store refused an object because of its Object Lock headers (AWS: 400 InvalidRequest
    /// "Bucket is missing Object Lock Configuration"); null for any other failure.
    /// </summary>
    public static ShippyarException? LockRefused(Exception e, string bucket, string where, ObjectLock? objectLock)
    {
        if (objectLock is null || FindS3(e) is not { } s3 || s3.StatusCode != HttpStatusCode.BadRequest
            || !(s3.Message ?? "").Contains("Object Lock", StringComparison.OrdinalIgnoreCase)) return null;
        return new(ShippyarErrorKind.InvalidOperation, ErrorIds.ObjectLockNotEnabled,
            $"Bucket {bucket} refused a locked object ({where}): {s3.Message} Object Lock can be used only in a bucket created with it " +
            "(aws s3api create-bucket --object-lock-enabled-for-bucket, or enabled on a versioned bucket with put-object-lock-configuration).", where, e);
    }

    private static AmazonS3Exception? FindS3(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is AmazonS3Exception s3) return s3;
        return null;
    }

    /// <summary>A RepositoryTimeout error when a connection timed out somewhere in <paramref name="e"/>; null otherwise.</summary>
    public static ShippyarException? TimedOut(Exception e, string what, string target, S3RepositoryOptions options)
    {
        if (S3TimeoutException.Find(e) is not { } t) return null;
        return new(ShippyarErrorKind.ConnectionError, TimeoutId,
            $"{what} timed out: {t.Message}; gave up after up to {options.MaxRetries + 1} attempts (each waits at most {Durations.Format(options.ConnectTimeout)} " +
            $"to connect and {Durations.Format(options.Timeout)} without progress; {Durations.Format(options.MaxWait)} at most in all).", target, e);
    }
}
