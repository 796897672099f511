using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ShippyarDr.Diagnostics;
using ShippyarDr.Streams;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// An object's body that survives a broken connection: a restore of a large dump over a WAN link should not die on
/// one reset, so a failed read asks again for the rest (Range from the current offset, If-Match the first ETag so a
/// replaced object is never spliced in), up to MaxRetries times per failure with exponential backoff. A body that
/// stalls fails its read after the no-progress timeout (S3ConnectionStream) and is resumed like a broken one. The
/// resuming request has the SDK's own retries, so a resume that fails ends the read: retrying it here as well would
/// multiply the wait on a store that stopped answering.
/// </summary>
internal sealed class S3ReadStream : ReadOnlyStreamBase
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _key;
    private readonly int _maxRetries;
    private readonly Func<Exception, ShippyarException> _translate;
    private readonly S3Outage _outage;
    private readonly string _etag;
    private readonly long _length;
    private GetObjectResponse? _response;
    private long _position;

    public S3ReadStream(IAmazonS3 client, string bucket, string key, int maxRetries, GetObjectResponse first, Func<Exception, ShippyarException> translate,
        S3Outage outage)
    {
        (_client, _bucket, _key, _maxRetries, _translate, _outage) = (client, bucket, key, maxRetries, translate, outage);
        _response = first;
        _etag = first.ETag;
        _length = first.ContentLength;
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        for (var attempt = 1; ; attempt++)
        {
            if (_position >= _length) return 0;
            _response ??= Resume();
            try
            {
                var n = _response.ResponseStream.Read(buffer);
                if (n == 0) throw new IOException($"The body of s3://{_bucket}/{_key} ended at byte {_position} of {_length}.");
                _position += n;
                return n;
            }
            catch (Exception e) when (IsTransient(e) && attempt <= _maxRetries)
            {
                _response?.Dispose();
                _response = null;
                Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(200 << attempt, 10_000)));
            }
            catch (Exception e) when (S3Errors.IsS3Failure(e))
            {
                throw _translate(e);
            }
        }
    }

    private GetObjectResponse Resume()
    {
        _outage.ThrowIfDown();
        try
        {
            return _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _bucket, Key = _key, ByteRange = new ByteRange(_position, _length - 1), EtagToMatch = _etag,
            }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (S3Errors.IsS3Failure(e))
        {
            throw _translate(e);
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        AmazonServiceException s => (int)s.StatusCode >= 500 || s.StatusCode == HttpStatusCode.TooManyRequests || s.ErrorCode is "SlowDown" or "RequestTimeout",
        _ => e is IOException or HttpRequestException or TaskCanceledException,
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing) _response?.Dispose();
        _response = null;
        base.Dispose(disposing);
    }
}
