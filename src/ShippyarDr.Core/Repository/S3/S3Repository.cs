using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// A repository in an S3 bucket (or an S3-compatible store): data objects stream up as multipart uploads in the
/// tier's storage class; manifests are single STANDARD objects, read back and compared after writing, because a
/// wrong client setting against a third-party store corrupts silently. With an Object Lock (<see cref="WithObjectLock"/>)
/// every object is stored with its retention in the same request that creates it (PutObject, CreateMultipartUpload),
/// so no object of a locked backup is ever unlocked, and every body carries Content-MD5, which S3 requires then.
/// </summary>
public sealed partial class S3Repository : IObjectLockingRepository, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3RepositoryOptions _options;
    private readonly S3Location _location;
    private readonly S3Outage _outage;
    // Cleared when the store refuses If-None-Match on PUT (501): it then gets the check-then-PUT alone.
    private bool _conditionalWrites = true;
    private readonly ObjectLock? _lock;
    private readonly bool _ownsClient;

    public S3Repository(string location, S3RepositoryOptions? options = null)
    {
        _location = S3Location.Parse(location);
        _options = options ?? new S3RepositoryOptions();
        _client = S3ClientFactory.Create(_options);
        _outage = new S3Outage();
        _ownsClient = true;
        EnsureBucket();
    }

    private S3Repository(S3Repository of, ObjectLock objectLock)
    {
        (_client, _options, _location, _outage, _lock) = (of._client, of._options, of._location, of._outage, objectLock);
    }

    public string Location => _location.ToString();
    public S3RepositoryOptions Options => _options;

    /// <summary>The lock every new object of this view gets (null: none).</summary>
    public ObjectLock? ObjectLock => _lock;

    /// <summary>A view on the same bucket and client (disposing it leaves them to this repository).</summary>
    public IBackupRepository WithObjectLock(ObjectLock objectLock) => new S3Repository(this, objectLock);

    private ObjectLock? LockFor(string key) => _lock is not null && Repository.ObjectLock.Applies(key) ? _lock : null;

    /// <summary>The object key of a repository key. Keys come from BackupLayout, but a store must still never be led out of
    /// its prefix (path-style requests would resolve "../" into another bucket).</summary>
    private string Key(string key)
    {
        if (key.Length == 0 || key.StartsWith('/') || key.Contains('\\') || key.Contains('\0') || key.TrimEnd('/').Split('/').Any(s => s is "" or "." or ".."))
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.InvalidKey, $"'{key}' cannot be used: it is not a relative path inside the repository.", key);
        return _location.Prefix + key;
    }

    private void EnsureBucket()
    {
        try
        {
            _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _location.Bucket, MaxKeys = 1, Prefix = _location.Prefix }).GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Some stores answer a bare 404 without the NoSuchBucket code.
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.RepositoryNotFound, $"Bucket {_location.Bucket} does not exist (repository {Location}).", Location, e);
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e))
        {
            throw Translate(e, null);
        }
    }

    private ShippyarException Translate(Exception e, string? key)
        => _outage.Record(S3Errors.Translate(e, _location.Bucket, key is null ? null : Key(key), Location, _options));

    // No outage check here: the upload's first request fails instead, as a write, which a backup into several
    // repositories treats as this one failing midway rather than the whole backup failing.
    public Stream Create(string key) => new S3UploadStream(_client, _options, _location.Bucket, Key(key), _outage, objectLock: LockFor(key));

    public IPendingObject CreateAtomically(string key)
    {
        _outage.ThrowIfDown();
        return new S3PendingObject(this, key, new S3UploadStream(_client, _options, _location.Bucket, Key(key), _outage, checkMd5: true, objectLock: LockFor(key)));
    }

    public Stream OpenRead(string key)
    {
        _outage.ThrowIfDown();
        try
        {
            var response = _client.GetObjectAsync(_location.Bucket, Key(key)).GetAwaiter().GetResult();
            return new S3ReadStream(_client, _location.Bucket, Key(key), _options.MaxRetries, response, e => Translate(e, key), _outage);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "InvalidObjectState")
        {
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.ObjectArchived,
                $"s3://{_location.Bucket}/{Key(key)} is in an archive storage class (GLACIER) and has not been restored. Request it with: aws s3api restore-object --bucket {_location.Bucket} --key {Key(key)} --restore-request Days=7 — then retry once it is available (minutes to hours).", key, e);
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e))
        {
            throw Translate(e, key);
        }
    }

    public bool Exists(string key)
    {
        _outage.ThrowIfDown();
        try
        {
            _client.GetObjectMetadataAsync(_location.Bucket, Key(key)).GetAwaiter().GetResult();
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e))
        {
            throw Translate(e, key);
        }
    }

    /// <summary>The storage class the store reports for an object ("STANDARD" when it reports none).</summary>
    public string StorageClassOf(string key)
    {
        _outage.ThrowIfDown();
        GetObjectMetadataResponse metadata;
        try { metadata = _client.GetObjectMetadataAsync(_location.Bucket, Key(key)).GetAwaiter().GetResult(); }
        catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, key); }
        return metadata.StorageClass?.Value is { Length: > 0 } s ? s : "STANDARD";
    }

    public void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false)
    {
        _outage.ThrowIfDown();
        var bytes = content.ToArray();
        // A check first for every store; and the PUT itself is conditional (If-None-Match: *) where the store honours
        // it (S3 since 2024): two writers of one key (two retention runs taking the lock) cannot both succeed. A store
        // that does not know the header and refuses it gets the plain PUT from then on.
        var exists = new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ObjectExists, $"s3://{_location.Bucket}/{Key(key)} already exists and is never overwritten.", key);
        if (!replace && Exists(key)) throw exists;
        var objectLock = LockFor(key);
        try
        {
            // A single PUT is atomic: readers see the old state or the whole manifest. STANDARD, so it stays listable.
            var put = new PutObjectRequest
            {
                BucketName = _location.Bucket, Key = Key(key), InputStream = new MemoryStream(bytes), UseChunkEncoding = false,
                StorageClass = S3StorageClass.Standard,
                ServerSideEncryptionMethod = _options.ServerSideEncryption is null ? null : ServerSideEncryptionMethod.FindValue(_options.ServerSideEncryption),
                ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId,
                MD5Digest = objectLock is null ? null : Convert.ToBase64String(MD5.HashData(bytes)),
            };
            S3ObjectLockHeaders.Apply(put, objectLock);
            if (!replace && _conditionalWrites) put.IfNoneMatch = "*";
            try
            {
                _client.PutObjectAsync(put).GetAwaiter().GetResult();
            }
            catch (AmazonS3Exception e) when (put.IfNoneMatch is not null && e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                throw exists;
            }
            catch (AmazonS3Exception) when (put.IfNoneMatch is not null)
            {
                // Stores that do not know the condition refuse it in their own ways (501, 400): the plain PUT, once
                // it works, is what this store gets from now on; if it fails too, its own error is the answer.
                put.IfNoneMatch = null;
                put.InputStream = new MemoryStream(bytes);
                _client.PutObjectAsync(put).GetAwaiter().GetResult();
                _conditionalWrites = false;
            }
        }
        catch (Exception e) when (e is not ShippyarException && S3Errors.IsS3Failure(e))
        {
            var where = $"s3://{_location.Bucket}/{Key(key)}";
            throw S3Errors.TimedOut(e, $"Writing {where}", key, _options) is { } timeout
                ? _outage.Record(timeout)
                : S3Errors.LockRefused(e, _location.Bucket, where, objectLock)
                  ?? new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.S3UploadFailed, $"Writing {where} failed: {e.Message}", key, e);
        }
        using var back = OpenRead(key);
        using var ms = new MemoryStream();
        back.CopyTo(ms);
        if (!SHA256.HashData(ms.ToArray()).AsSpan().SequenceEqual(SHA256.HashData(bytes)))
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.S3ObjectCorrupted,
                $"s3://{_location.Bucket}/{Key(key)} reads back different from what was written: the store or the client settings corrupt data (see the S3-compatible settings in the README).", key);
    }

    public IEnumerable<string> List(string prefix)
        => Pages(prefix).SelectMany(r => r.S3Objects ?? new List<S3Object>()).Select(o => o.Key[_location.Prefix.Length..]);

    public IEnumerable<string> ListStartingWith(string folder, string namePrefix)
    {
        if (!folder.EndsWith('/')) throw new ArgumentException("A folder ends with '/'.", nameof(folder));
        Key(folder + "x"); // the same checks as any key: never out of the prefix
        return Pages(folder + namePrefix).SelectMany(r => r.S3Objects ?? new List<S3Object>())
            .Select(o => o.Key[_location.Prefix.Length..]).Where(k => k.IndexOf('/', folder.Length) < 0);
    }

    /// <summary>
    /// The immediate children by a skip scan: one request for the first key, then one past everything under that key's
    /// first segment, and so on, so a folder of any size (30 days of WAL) costs one request. Not a delimiter listing:
    /// s3rver, the store the tests run against, leaves out common prefixes below the first level.
    /// </summary>
    public IEnumerable<string> ListChildren(string prefix)
    {
        _outage.ThrowIfDown();
        var basePrefix = _location.Prefix + prefix;
        string? startAfter = null;
        while (true)
        {
            var request = new ListObjectsV2Request { BucketName = _location.Bucket, Prefix = basePrefix, MaxKeys = 1, StartAfter = startAfter };
            ListObjectsV2Response response;
            try { response = _client.ListObjectsV2Async(request).GetAwaiter().GetResult(); }
            catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, null); }
            if (response.S3Objects is not { Count: > 0 } objects) yield break;
            var relative = objects[0].Key[basePrefix.Length..];
            var slash = relative.IndexOf('/');
            var child = slash < 0 ? relative : relative[..(slash + 1)];
            if (child.Length > 0) yield return child;
            // U+10FFFF sorts after every key that continues the child's folder (S3 orders keys by their UTF-8 bytes).
            startAfter = slash < 0 ? objects[0].Key : basePrefix + child + char.ConvertFromUtf32(0x10FFFF);
        }
    }

    private IEnumerable<ListObjectsV2Response> Pages(string prefix)
    {
        _outage.ThrowIfDown();
        var request = new ListObjectsV2Request { BucketName = _location.Bucket, Prefix = _location.Prefix + prefix };
        while (true)
        {
            ListObjectsV2Response response;
            try { response = _client.ListObjectsV2Async(request).GetAwaiter().GetResult(); }
            catch (Exception e) when (S3Errors.IsS3Failure(e)) { throw Translate(e, null); }
            yield return response;
            if (response.IsTruncated != true) yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }
}
