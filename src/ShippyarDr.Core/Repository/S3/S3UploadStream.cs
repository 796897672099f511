using System.Buffers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ShippyarDr.Diagnostics;
using ShippyarDr.Pipeline;
using ShippyarDr.Streams;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// A streaming upload of unknown length: parts of PartSize go up concurrently (at most Concurrency at once, so
/// memory stays at PartSize × (Concurrency + 1)); Dispose completes the object; Abort (or any failure) aborts
/// the multipart upload so no partial object ever appears. An object smaller than one part is a single PUT.
/// With <c>checkMd5</c> every request carries its Content-MD5 (the store refuses a body that arrived different) and the
/// completed object's ETag must be the one those digests give (S3's rule, except under SSE-KMS, whose ETags are not MD5s).
/// With an Object Lock the request that creates the object carries its retention, and Content-MD5 is always sent
/// (S3 refuses locked uploads without a digest).
/// </summary>
internal sealed class S3UploadStream : WriteOnlyStreamBase, IAbortableStream
{
    private readonly AmazonS3Client _client;
    private readonly S3RepositoryOptions _options;
    private readonly string _bucket;
    private readonly string _key;
    private readonly S3Outage _outage;
    private readonly SemaphoreSlim _slots;
    private readonly List<Task<PartETag>> _parts = new();
    private readonly CancellationTokenSource _abort = new();
    private byte[] _buffer;
    private int _filled;
    private string? _uploadId;
    private bool _finished;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _broken;
    private readonly bool _checkMd5;
    private readonly List<byte[]> _partMd5 = new();
    // Some stores (s3rver) give a multipart object the MD5 of its whole body as ETag rather than S3's digest of digests.
    private readonly System.Security.Cryptography.IncrementalHash? _wholeMd5;
    private readonly ObjectLock? _lock;

    public S3UploadStream(AmazonS3Client client, S3RepositoryOptions options, string bucket, string key, S3Outage outage, bool checkMd5 = false,
        ObjectLock? objectLock = null)
    {
        _lock = objectLock;
        checkMd5 |= objectLock is not null;
        _checkMd5 = checkMd5;
        if (checkMd5) _wholeMd5 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.MD5);
        _client = client;
        _options = options;
        _bucket = bucket;
        _key = key;
        _outage = outage;
        _slots = new SemaphoreSlim(Math.Max(1, options.Concurrency));
        _buffer = ArrayPool<byte>.Shared.Rent(options.PartSize);
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        try
        {
            while (data.Length > 0)
            {
                var n = Math.Min(data.Length, _options.PartSize - _filled);
                data[..n].CopyTo(_buffer.AsSpan(_filled));
                _filled += n;
                data = data[n..];
                if (_filled == _options.PartSize) StartPart();
            }
        }
        catch (Exception e)
        {
            // Bytes were lost: a later Dispose must abort and fail, never complete (or single-PUT) what is left.
            _broken ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    private void StartPart()
    {
        ThrowIfAPartFailed();
        _outage.ThrowIfDown();
        // S3 refuses part 10,001; say so in our terms rather than after one more part's upload.
        if (_parts.Count == S3RepositoryOptions.MaxParts)
            throw Failed(new InvalidOperationException(
                $"the object is larger than {S3RepositoryOptions.MaxParts} parts of {_options.PartSize} bytes, S3's limit for one upload; use a larger part size"));
        _uploadId ??= Call(() =>
        {
            var initiate = new InitiateMultipartUploadRequest
            {
                BucketName = _bucket, Key = _key, StorageClass = S3StorageClass.FindValue(_options.StorageClass),
                ServerSideEncryptionMethod = _options.ServerSideEncryption is null ? null : ServerSideEncryptionMethod.FindValue(_options.ServerSideEncryption),
                ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId,
            };
            S3ObjectLockHeaders.Apply(initiate, _lock);
            return _client.InitiateMultipartUploadAsync(initiate, _abort.Token);
        }).UploadId;
        _slots.Wait(_abort.Token);
        var (buffer, length, number) = (_buffer, _filled, _parts.Count + 1);
        var md5 = _checkMd5 ? System.Security.Cryptography.MD5.HashData(buffer.AsSpan(0, length)) : null;
        if (md5 is not null)
        {
            _partMd5.Add(md5);
            _wholeMd5!.AppendData(buffer, 0, length);
        }
        _buffer = ArrayPool<byte>.Shared.Rent(_options.PartSize);
        _filled = 0;
        _parts.Add(Task.Run(async () =>
        {
            try
            {
                var response = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket, Key = _key, UploadId = _uploadId, PartNumber = number, PartSize = length,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false), UseChunkEncoding = false,
                    MD5Digest = md5 is null ? null : Convert.ToBase64String(md5),
                }, _abort.Token).ConfigureAwait(false);
                return new PartETag(number, response.ETag);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _slots.Release();
            }
        }));
    }

    private void ThrowIfAPartFailed()
    {
        var failed = _parts.FirstOrDefault(p => p.IsFaulted);
        if (failed is not null) throw Failed(failed.Exception!.GetBaseException());
    }

    /// <summary>Completes the object.</summary>
    private void Complete()
    {
        _outage.ThrowIfDown();
        if (_uploadId is null)
        {
            var md5 = _checkMd5 ? System.Security.Cryptography.MD5.HashData(_buffer.AsSpan(0, _filled)) : null;
            var put = Call(() =>
            {
                var request = new PutObjectRequest
                {
                    BucketName = _bucket, Key = _key, InputStream = new MemoryStream(_buffer, 0, _filled, writable: false), UseChunkEncoding = false,
                    StorageClass = S3StorageClass.FindValue(_options.StorageClass),
                    ServerSideEncryptionMethod = _options.ServerSideEncryption is null ? null : ServerSideEncryptionMethod.FindValue(_options.ServerSideEncryption),
                    ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId,
                    MD5Digest = md5 is null ? null : Convert.ToBase64String(md5),
                };
                S3ObjectLockHeaders.Apply(request, _lock);
                return _client.PutObjectAsync(request, _abort.Token);
            });
            if (md5 is not null) CheckETag(put.ETag, Convert.ToHexString(md5));
            return;
        }
        if (_filled > 0) StartPart();
        PartETag[] etags;
        try { etags = Task.WhenAll(_parts).GetAwaiter().GetResult(); }
        catch (Exception e) { throw Failed(e); }
        var completed = Call(() => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = _bucket, Key = _key, UploadId = _uploadId, PartETags = etags.OrderBy(p => p.PartNumber).ToList(),
        }, _abort.Token));
        if (_checkMd5)
            CheckETag(completed.ETag, $"{Convert.ToHexString(System.Security.Cryptography.MD5.HashData(_partMd5.SelectMany(m => m).ToArray()))}-{_partMd5.Count}",
                Convert.ToHexString(_wholeMd5!.GetHashAndReset()));
    }

    /// <summary>The ETag S3 gives an object is the MD5 of its body (one PUT) or of its parts' MD5s plus "-parts" (multipart).</summary>
    private void CheckETag(string? etag, string expected, string? alsoAccepted = null)
    {
        if (_options.ServerSideEncryption == "aws:kms" || etag is null) return;
        var actual = etag.Trim('"');
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase) && !string.Equals(actual, alsoAccepted, StringComparison.OrdinalIgnoreCase))
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.S3ObjectCorrupted,
                $"s3://{_bucket}/{_key} was stored with ETag {etag}, not the {expected} its content gives: the store or the client settings corrupt data (see the S3-compatible settings in the README).", $"s3://{_bucket}/{_key}");
    }

    public void Abort()
    {
        if (_finished) return;
        _finished = true;
        _abort.Cancel();
        try { Task.WhenAll(_parts).Wait(TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { /* cancelled or failed parts: being abandoned anyway */ }
        // A store that stopped answering would make the abort wait out its timeouts and retries too, for nothing.
        if (_uploadId is null || _outage.IsDown) return;
        try
        {
            _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = _key, UploadId = _uploadId })
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or TaskCanceledException)
        {
            // The store may be gone (that may be why we abort) or refuse Abort (s3rver: 405); the upload was never completed, so no object exists. A bucket
            // lifecycle rule (AbortIncompleteMultipartUpload) reclaims the parts on AWS.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_finished && _broken is not null)
        {
            Abort();
            ArrayPool<byte>.Shared.Return(_buffer);
            _broken.Throw();
        }
        else if (disposing && !_finished)
        {
            try
            {
                Complete();
                _finished = true;
            }
            catch
            {
                Abort();
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
        }
        base.Dispose(disposing);
    }

    private T Call<T>(Func<Task<T>> call)
    {
        try { return call().GetAwaiter().GetResult(); }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or TaskCanceledException)
        {
            throw Failed(e);
        }
    }

    private ShippyarException Failed(Exception e) => S3Errors.TimedOut(e, $"Upload of s3://{_bucket}/{_key}", $"s3://{_bucket}/{_key}", _options) is { } timeout ? _outage.Record(timeout)
        : S3Errors.LockRefused(e, _bucket, $"s3://{_bucket}/{_key}", _lock) ?? new(ShippyarErrorKind.WriteError, ErrorIds.S3UploadFailed, $"Upload of s3://{_bucket}/{_key} failed: {e.Message}", $"s3://{_bucket}/{_key}", e);

}
