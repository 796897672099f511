using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ShippyarDr.Repository.S3;
using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>One request as the gateway received it (header names case-insensitive).</summary>
public sealed record S3GatewayRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>Whether the query string has this parameter (with or without a value), e.g. "uploads", "partNumber".</summary>
    public bool HasQuery(string name) => Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Any(p => p.Split('=')[0] == name);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A fault-injecting gateway in front of the real test server (<see cref="S3Server"/>, s3rver): a reverse proxy on
/// its own loopback port that forwards every request unchanged and records it, so tests can see the headers the
/// client really sent. It emulates only what no server here implements: AWS archive semantics — an object written
/// in GLACIER or DEEP_ARCHIVE answers GET with 403 InvalidObjectState until restored (HEAD still works), which
/// s3rver ignores; and S3 Object Lock (see <see cref="ObjectLockEnabled"/>), which s3rver does not implement.
/// Everything else is the real server's answer, unless a test asks for a stall: requests that get
/// no answer at all, or bodies that stop after some bytes and hang (what a store behind a broken link or an
/// overloaded proxy does), or bodies that arrive slowly but keep moving.
/// </summary>
public sealed partial class S3Gateway : IDisposable
{
    private static readonly HashSet<string> ArchiveClasses = new(StringComparer.OrdinalIgnoreCase) { "GLACIER", "DEEP_ARCHIVE" };
    // Hop-by-hop or recomputed by HttpClient/HttpListener; Expect is answered by HttpListener itself.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
        { "Expect", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade", "Trailer" };
    // HttpListener sets these itself (ContentLength64, SendChunked, KeepAlive); copying them would duplicate or conflict.
    private static readonly HashSet<string> NotReturned = new(StringComparer.OrdinalIgnoreCase)
        { "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date", "Server" };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly string _upstreamBase;
    private readonly S3Server _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, byte> _archived = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<S3GatewayRequest> _requests = new();
    // Object Lock retention by object key (decoded, without the bucket); multipart uploads' until they complete.
    private readonly ConcurrentDictionary<string, LockEntry> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LockEntry> _pendingLocks = new(StringComparer.Ordinal);
    // The gateway's own client of the real server (ListObjectVersions emulation).
    private Amazon.S3.AmazonS3Client? _direct;
    private readonly Task _loop;

    public S3Gateway(S3Server server)
    {
        _server = server;
        _upstreamBase = server.Endpoint;
        _upstream = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false, UseProxy = false, UseCookies = false,
        }) { Timeout = Timeout.InfiniteTimeSpan };
        Port = PostgresSandbox.FreeLoopbackPort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Requests that get no answer: the gateway reads them and holds the connection until it is disposed.</summary>
    public Func<S3GatewayRequest, bool>? Unanswered { get; set; }

    /// <summary>For matching requests, how many bytes of the answer's body are sent before the connection hangs.</summary>
    public Func<S3GatewayRequest, long?>? StallBodyAfter { get; set; }

    /// <summary>A pause before each 64 KB of every answer's body: a slow link that keeps moving.</summary>
    public TimeSpan BodyChunkDelay { get; set; }

    /// <summary>A pause before each 64 KB the gateway reads of a request's body: a slow upload link that keeps moving.</summary>
    public TimeSpan RequestChunkDelay { get; set; }

    /// <summary>
    /// Whether the bucket has Object Lock (default true). With it, the gateway emulates S3 Object Lock: PutObject and
    /// CreateMultipartUpload with x-amz-object-lock-mode and -retain-until-date lock the object (Content-MD5 or a checksum
    /// required on the PUT and on the upload's parts, as S3 requires), PutObjectRetention sets or extends a lock
    /// (Compliance never shortened; Governance only with x-amz-bypass-governance-retention), GetObjectRetention answers,
    /// and DeleteObject and each key of DeleteObjects are refused with AccessDenied while the lock lasts. A simplification:
    /// S3 locks object versions, and a delete without a version id there only adds a delete marker; here an object has
    /// one version and its delete is refused. Without it, lock headers are refused as S3 refuses them in a bucket
    /// created without Object Lock (400 InvalidRequest).
    /// </summary>
    public bool ObjectLockEnabled { get; set; } = true;

    /// <summary>
    /// The bucket keeps versions, as every Object Lock bucket does (default false): GetBucketVersioning answers Enabled
    /// and ListObjectVersions lists each object as one version, "1". A delete without a version id, which in S3 only adds
    /// a delete marker, is refused (NotEmulated), so a test sees any client that would leave data behind that way.
    /// </summary>
    public bool Versioning { get; set; }

    /// <summary>DeleteObjects (POST ?delete) answered with 501 NotImplemented, as by a store without multi-object delete.</summary>
    public bool RefuseMultiDelete { get; set; }

    /// <summary>DeleteObjects keys the gateway answers with this error code in the 200 response (and does not delete).</summary>
    public Func<string, string?>? DeleteError { get; set; }

    /// <summary>The lock the gateway holds for an object key (as stored: the repository's prefix included), or null.</summary>
    public (string Mode, DateTimeOffset Until)? LockOf(string objectKey) => _locks.TryGetValue(objectKey, out var l) ? (l.Mode, l.Until) : null;

    /// <summary>Time passes for the locks: every retain-until moves <paramref name="by"/> earlier, as if that long had gone by.</summary>
    public void PassTime(TimeSpan by)
    {
        foreach (var key in _locks.Keys) _locks.AddOrUpdate(key, _ => throw new InvalidOperationException(), (_, l) => l with { Until = l.Until - by });
    }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<S3GatewayRequest> Requests => _requests.ToArray();

    /// <summary>The server's options, pointed at the gateway.</summary>
    public S3RepositoryOptions Options(string storageClass = "STANDARD", string? serverSideEncryption = null, string? kmsKeyId = null,
        int partSize = S3RepositoryOptions.MinPartSize, TimeSpan? timeout = null, int? maxRetries = null)
    {
        var o = _server.Options(storageClass, partSize);
        return new S3RepositoryOptions
        {
            Endpoint = Endpoint, ForcePathStyle = o.ForcePathStyle, AccessKey = o.AccessKey, SecretKey = o.SecretKey, StorageClass = o.StorageClass,
            PartSize = o.PartSize, Concurrency = o.Concurrency, MaxRetries = maxRetries ?? o.MaxRetries,
            ServerSideEncryption = serverSideEncryption, KmsKeyId = kmsKeyId,
            Timeout = timeout ?? S3RepositoryOptions.DefaultTimeout, ConnectTimeout = timeout ?? S3RepositoryOptions.DefaultConnectTimeout,
        };
    }

    public string Url(string prefix) => _server.Url(prefix);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            // Concurrent: multipart parts arrive in parallel.
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        var (request, response) = (context.Request, context.Response);
        try
        {
            // RawUrl, not Url: the path must stay byte-for-byte as signed (Url decodes and normalises).
            var raw = request.RawUrl ?? "/";
            var q = raw.IndexOf('?');
            var (path, query) = q < 0 ? (raw, "") : (raw[..q], raw[q..]);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in request.Headers.AllKeys.OfType<string>()) headers[name] = request.Headers[name] ?? "";
            var recorded = new S3GatewayRequest(request.HttpMethod, path, query, headers);
            _requests.Enqueue(recorded);

            var isObject = path.Trim('/').Contains('/');   // path style: /bucket/key
            if (isObject) RememberStorageClass(recorded);
            if (Unanswered?.Invoke(recorded) == true)
            {
                await request.InputStream.CopyToAsync(Stream.Null, _stop.Token).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
            }
            if (request.HttpMethod == "GET" && isObject && !recorded.HasQuery("uploadId") && _archived.ContainsKey(path))
            {
                await RefuseArchived(response).ConfigureAwait(false);
                return;
            }
            if (await Conditional(request, recorded, response, isObject).ConfigureAwait(false)) return;
            if (await ObjectLock(request, recorded, response, isObject).ConfigureAwait(false)) return;
            await Forward(request, recorded, response).ConfigureAwait(false);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Shutting down: the client sees a broken connection, as from a real server going away.
        }
        catch (Exception e)
        {
            try
            {
                response.StatusCode = 502;
                var body = Encoding.UTF8.GetBytes($"<Error><Code>GatewayError</Code><Message>{Xml(e.Message)}</Message></Error>");
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
            }
            catch (Exception) { /* headers already sent: the connection is simply cut */ }
        }
        finally
        {
            try { response.Close(); } catch (Exception) { }
        }
    }

    private static string Xml(string s) => System.Security.SecurityElement.Escape(s) ?? "";

    /// <summary>PutObject and CreateMultipartUpload set the object's class; DELETE forgets it.</summary>
    private void RememberStorageClass(S3GatewayRequest r)
    {
        var write = (r.Method == "PUT" && !r.HasQuery("partNumber") && !r.HasQuery("uploadId") && !r.HasQuery("tagging") && !r.HasQuery("acl"))
                    || (r.Method == "POST" && r.HasQuery("uploads"));
        if (write && ArchiveClasses.Contains(r.Header("x-amz-storage-class") ?? "")) _archived[r.Path] = 0;
        else if (write || (r.Method == "DELETE" && r.Query.Length == 0)) _archived.TryRemove(r.Path, out _);
    }

    private static async Task RefuseArchived(HttpListenerResponse response)
    {
        // What AWS answers for a GET of an unrestored GLACIER object.
        var body = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidObjectState</Code>" +
            "<Message>The operation is not valid for the object's storage class</Message><StorageClass>GLACIER</StorageClass>" +
            $"<RequestId>{Guid.NewGuid():N}</RequestId></Error>");
        response.StatusCode = 403;
        response.ContentType = "application/xml";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
    }

    private async Task Forward(HttpListenerRequest request, S3GatewayRequest recorded, HttpListenerResponse response)
    {
        var hasBody = request.HasEntityBody || recorded.Headers.ContainsKey("Content-Length");
        HttpContent? content = null;
        if (hasBody)
        {
            content = new StreamContent(RequestChunkDelay > TimeSpan.Zero ? new SlowReadStream(request.InputStream, RequestChunkDelay) : request.InputStream);
            if (request.ContentLength64 >= 0) content.Headers.ContentLength = request.ContentLength64;
        }
        using var message = Upstream(recorded, content);
        using var answer = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _stop.Token).ConfigureAwait(false);
        await Answer(request, recorded, response, answer).ConfigureAwait(false);
    }

    /// <summary>The request for the real server: path, query and headers exactly as the client signed them.</summary>
    private HttpRequestMessage Upstream(S3GatewayRequest recorded, HttpContent? content)
    {
        // Keep the path and query exactly as sent: SigV4 signs the canonical URI, and s3rver checks the signature.
        var uri = new Uri(_upstreamBase + recorded.Path + recorded.Query, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(recorded.Method), uri) { Content = content };
        foreach (var (name, value) in recorded.Headers)
        {
            if (NotForwarded.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) message.Headers.Host = value;   // signed: must be the gateway's, as the client sent it
            else if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) message.Content?.Headers.TryAddWithoutValidation(name, value);
            else message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }

    private async Task Answer(HttpListenerRequest request, S3GatewayRequest recorded, HttpListenerResponse response, HttpResponseMessage answer)
    {
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (NotReturned.Contains(name)) continue;
            foreach (var v in values) response.AppendHeader(name, v);
        }
        if (answer.Content.Headers.ContentLength is { } length) response.ContentLength64 = length;
        else response.SendChunked = true;
        // HEAD (and 204/304) carry a Content-Length but no body.
        if (request.HttpMethod == "HEAD") return;
        await using var body = await answer.Content.ReadAsStreamAsync(_stop.Token).ConfigureAwait(false);
        var stallAfter = StallBodyAfter?.Invoke(recorded);
        if (stallAfter is null && BodyChunkDelay == TimeSpan.Zero)
        {
            await body.CopyToAsync(response.OutputStream, _stop.Token).ConfigureAwait(false);
            return;
        }
        await CopySlowly(body, response.OutputStream, stallAfter).ConfigureAwait(false);
    }

    private async Task CopySlowly(Stream body, Stream output, long? stallAfter)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        while (true)
        {
            var room = stallAfter is { } limit ? (int)Math.Min(buffer.Length, limit - sent) : buffer.Length;
            if (room == 0)
            {
                // What was sent must reach the client, or the stall would look like a late header.
                await output.FlushAsync(_stop.Token).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
            }
            var n = await body.ReadAsync(buffer.AsMemory(0, room), _stop.Token).ConfigureAwait(false);
            if (n == 0) return;
            if (BodyChunkDelay > TimeSpan.Zero) await Task.Delay(BodyChunkDelay, _stop.Token).ConfigureAwait(false);
            await output.WriteAsync(buffer.AsMemory(0, n), _stop.Token).ConfigureAwait(false);
            await output.FlushAsync(_stop.Token).ConfigureAwait(false);
            sent += n;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        // Stop, then Close: Stop ends the pending GetContextAsync, Close frees the port.
        try { _listener.Stop(); } catch (ObjectDisposedException) { }
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _upstream.Dispose();
        _direct?.Dispose();
        _stop.Dispose();
    }

    /// <summary>Reads at most 64 KB at a time, each after a pause.</summary>
    private sealed class SlowReadStream(Stream inner, TimeSpan delay) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            await Task.Delay(delay, cancel).ConfigureAwait(false);
            return await inner.ReadAsync(buffer[..Math.Min(buffer.Length, 64 * 1024)], cancel).ConfigureAwait(false);
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel)
            => ReadAsync(buffer.AsMemory(offset, count), cancel).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
