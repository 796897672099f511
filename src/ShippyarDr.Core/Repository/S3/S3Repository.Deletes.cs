using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// Deletes. DeleteObjects takes 1000 keys a request, and its answer is 200 even when objects were not deleted: each
/// such key comes back in Errors with its own code, and those are failures, never success; missing keys count as
/// deleted. In a versioned bucket (every Object Lock bucket is one) a delete without a version id only hides the object
/// behind a delete marker, leaving its data stored (and a locked object seemingly deleted), so there every version of
/// the key is deleted by its id, and the store refuses locked versions with AccessDenied. Such refusals become one
/// ObjectLocked error saying until when (asked of the store). The versions of a DeleteMany's keys are found by one
/// listing of the keys' common prefix, so a call whose keys share a folder (one backup, one WAL folder) lists only that.
/// </summary>
public sealed partial class S3Repository
{
    /// <summary>DeleteObjects takes at most this many keys.</summary>
    public const int DeleteBatchSize = 1000;

    private bool? _versioned;

    public void Delete(string key)
    {
        if (Versioned)
        {
            DeleteMany([key]);
            return;
        }
        DeleteOne(key, null);
    }

    public void DeletePrefix(string prefix)
        => Delete(Versioned ? Versions(_location.Prefix + prefix, null) : List(prefix).Select(k => (k, (string?)null)).ToList());

    public void DeleteMany(IEnumerable<string> keys)
    {
        var distinct = keys.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0) return;
        if (!Versioned)
        {
            Delete(distinct.Select(k => (k, (string?)null)).ToList());
            return;
        }
        var wanted = distinct.Select(Key).ToHashSet(StringComparer.Ordinal);
        Delete(Versions(CommonPrefix(wanted), wanted));
    }

    /// <summary>Whether the bucket keeps versions (enabled or suspended); a store that cannot say (s3rver: 501), or will
    /// not (no s3:GetBucketVersioning), is taken as unversioned, as before versions were considered.</summary>
    private bool Versioned => _versioned ??= AskVersioned();

    private bool AskVersioned()
    {
        _outage.ThrowIfDown();
        try
        {
            var status = _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = _location.Bucket }).GetAwaiter().GetResult()
                .VersioningConfig?.Status;
            return status == VersionStatus.Enabled || status == VersionStatus.Suspended;
        }
        catch (AmazonS3Exception e) when (S3TimeoutException.Find(e) is null
                                          && e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            return false;
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, null); }
    }

    /// <summary>Every version and delete marker under an object-key prefix (of <paramref name="wanted"/> keys only, when given).</summary>
    private List<(string Key, string? VersionId)> Versions(string objectPrefix, HashSet<string>? wanted)
    {
        var found = new List<(string, string?)>();
        var request = new ListVersionsRequest { BucketName = _location.Bucket, Prefix = objectPrefix };
        while (true)
        {
            _outage.ThrowIfDown();
            ListVersionsResponse response;
            try { response = _client.ListVersionsAsync(request).GetAwaiter().GetResult(); }
            catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, null); }
            foreach (var v in response.Versions ?? new List<S3ObjectVersion>())
                if (v.Key.StartsWith(_location.Prefix, StringComparison.Ordinal) && (wanted is null || wanted.Contains(v.Key)))
                    found.Add((v.Key[_location.Prefix.Length..], v.VersionId));
            if (response.IsTruncated != true) return found;
            (request.KeyMarker, request.VersionIdMarker) = (response.NextKeyMarker, response.NextVersionIdMarker);
        }
    }

    private static string CommonPrefix(IEnumerable<string> keys)
    {
        string? prefix = null;
        foreach (var k in keys)
        {
            if (prefix is null) { prefix = k; continue; }
            var n = 0;
            while (n < prefix.Length && n < k.Length && prefix[n] == k[n]) n++;
            prefix = prefix[..n];
        }
        return prefix ?? "";
    }

    /// <summary>
    /// DeleteObjects, a batch at a time. A store whose multi-object delete fails as a whole (not implemented, or s3rver's
    /// internal error when its concurrent deletes empty a folder, once the SDK's retries are spent) gets that batch one
    /// DELETE per object.
    /// </summary>
    private void Delete(IReadOnlyList<(string Key, string? VersionId)> entries)
    {
        var failures = new S3DeleteFailures(Location);
        foreach (var batch in entries.Chunk(DeleteBatchSize))
        {
            _outage.ThrowIfDown();
            DeleteObjectsResponse response;
            try
            {
                response = _client.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    // Quiet: the answer lists only the keys that were not deleted.
                    BucketName = _location.Bucket, Quiet = true,
                    Objects = batch.Select(e => new KeyVersion { Key = Key(e.Key), VersionId = e.VersionId }).ToList(),
                }).GetAwaiter().GetResult();
            }
            // The SDK throws when the answer lists errors; the answer is the same.
            catch (DeleteObjectsException e) when (e.Response is not null) { response = e.Response; }
            catch (AmazonS3Exception e) when (e.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.NotFound) && S3TimeoutException.Find(e) is null)
            {
                foreach (var (key, version) in batch)
                {
                    try { DeleteOne(key, version); }
                    catch (ShippyarException failure) when (failure.ErrorId == ErrorIds.ObjectLocked) { failures.Add(key, "AccessDenied", failure.Message); }
                }
                continue;
            }
            catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, null); }
            foreach (var error in response.DeleteErrors ?? new List<DeleteError>())
            {
                var objectKey = error.Key ?? "";
                failures.Add(objectKey.StartsWith(_location.Prefix, StringComparison.Ordinal) ? objectKey[_location.Prefix.Length..] : objectKey, error.Code, error.Message);
            }
        }
        failures.ThrowIfAny(LockedUntil);
    }

    private void DeleteOne(string key, string? versionId)
    {
        _outage.ThrowIfDown();
        try
        {
            _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _location.Bucket, Key = Key(key), VersionId = versionId }).GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden && LockedUntil(key) is { } until)
        {
            throw S3DeleteFailures.Locked(Location, [(key, until)], e);
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, key); }
    }

    public DateTimeOffset? LockedUntil(string key)
    {
        _outage.ThrowIfDown();
        try
        {
            var retention = _client.GetObjectRetentionAsync(new GetObjectRetentionRequest { BucketName = _location.Bucket, Key = Key(key) })
                .GetAwaiter().GetResult().Retention;
            return retention?.RetainUntilDate is { } until && until > DateTime.UtcNow ? new DateTimeOffset(until.ToUniversalTime(), TimeSpan.Zero) : null;
        }
        // No retention on the object, no such object, a bucket without Object Lock, a store without it (s3rver: 501).
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.NotImplemented
                                          || e.ErrorCode is "NoSuchObjectLockConfiguration" or "NoSuchKey" or "InvalidRequest" or "NotImplemented")
        {
            return null;
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, key); }
    }
}
