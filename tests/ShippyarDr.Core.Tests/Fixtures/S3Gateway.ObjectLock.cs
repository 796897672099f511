using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>The gateway's S3 Object Lock emulation (see <see cref="S3Gateway.ObjectLockEnabled"/>).</summary>
public sealed partial class S3Gateway
{
    private static readonly XNamespace S3Xml = "http://s3.amazonaws.com/doc/2006-03-01/";

    private sealed record LockEntry(string Mode, DateTimeOffset Until);

    /// <summary>The object key of a path-style path: /bucket/key, decoded.</summary>
    private static string ObjectKey(string path)
    {
        var p = path.TrimStart('/');
        return Uri.UnescapeDataString(p[(p.IndexOf('/') + 1)..]);
    }

    private static bool HasDigest(S3GatewayRequest r) => r.Header("Content-MD5") is { Length: > 0 } || r.Headers.Keys.Any(h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase));

    private bool HeldAgainstDelete(string key, S3GatewayRequest r)
        => _locks.TryGetValue(key, out var l) && l.Until > DateTimeOffset.UtcNow
           && !(l.Mode == "GOVERNANCE" && string.Equals(r.Header("x-amz-bypass-governance-retention"), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers or forwards what Object Lock concerns; false for requests it leaves to <see cref="Forward"/>.</summary>
    private async Task<bool> ObjectLock(HttpListenerRequest request, S3GatewayRequest r, HttpListenerResponse response, bool isObject)
    {
        if (!isObject)
        {
            if (Versioning && r.Method == "GET" && r.HasQuery("versioning"))
                return await Xml(response, 200, new XElement(S3Xml + "VersioningConfiguration", new XElement(S3Xml + "Status", "Enabled")));
            if (Versioning && r.Method == "GET" && r.HasQuery("versions")) return await ListVersions(r, response);
            if (r.Method != "POST" || !r.HasQuery("delete")) return false;
            if (RefuseMultiDelete) return await Refuse(request, response, 501, "NotImplemented", "A header you provided implies functionality that is not implemented");
            await DeleteObjects(request, r, response).ConfigureAwait(false);
            return true;
        }
        var key = ObjectKey(r.Path);
        var (mode, until) = (r.Header("x-amz-object-lock-mode"), r.Header("x-amz-object-lock-retain-until-date"));
        var isPut = r.Method == "PUT" && r.Query.Length == 0;
        var isInitiate = r.Method == "POST" && r.HasQuery("uploads");
        if ((isPut || isInitiate) && (mode is not null || until is not null))
        {
            if (!ObjectLockEnabled) return await Refuse(request, response, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
            if (mode?.ToUpperInvariant() is not ("GOVERNANCE" or "COMPLIANCE") || until is null
                || !DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var retainUntil))
                return await Refuse(request, response, 400, "InvalidArgument", "x-amz-object-lock-mode and x-amz-object-lock-retain-until-date must both be supplied and valid");
            if (retainUntil <= DateTimeOffset.UtcNow) return await Refuse(request, response, 400, "InvalidArgument", "The retain until date must be in the future!");
            if (isPut && !HasDigest(r))
                return await Refuse(request, response, 400, "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
            var entry = new LockEntry(mode.ToUpperInvariant(), retainUntil);
            // Held before the answer goes out: the client may delete the moment it has it.
            var held = isPut ? _locks : _pendingLocks;
            held.TryGetValue(key, out var before);
            held[key] = entry;
            await Forward(request, r, response).ConfigureAwait(false);
            if (response.StatusCode >= 300)
            {
                if (before is null) held.TryRemove(key, out _);
                else held[key] = before;
            }
            return true;
        }
        if (r.Method == "PUT" && r.HasQuery("partNumber") && _pendingLocks.ContainsKey(key) && !HasDigest(r))
            return await Refuse(request, response, 400, "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Upload Part requests with Object Lock parameters");
        if (r.Method == "POST" && r.HasQuery("uploadId") && _pendingLocks.TryGetValue(key, out var pending))
        {
            _locks[key] = pending;
            await Forward(request, r, response).ConfigureAwait(false);
            if (response.StatusCode >= 300) _locks.TryRemove(key, out _);
            else _pendingLocks.TryRemove(key, out _);
            return true;
        }
        if (r.Method == "DELETE" && r.HasQuery("uploadId")) _pendingLocks.TryRemove(key, out _);
        if (r.Method == "PUT" && r.HasQuery("retention")) return await PutRetention(request, r, response, key);
        if (r.Method == "GET" && r.HasQuery("retention"))
        {
            if (!ObjectLockEnabled) return await Refuse(request, response, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
            if (!_locks.TryGetValue(key, out var l))
                return await Error(response, 404, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration");
            return await Xml(response, 200, new XElement(S3Xml + "Retention", new XElement(S3Xml + "Mode", l.Mode),
                new XElement(S3Xml + "RetainUntilDate", l.Until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))));
        }
        if (r.Method == "DELETE" && (r.Query.Length == 0 || (r.HasQuery("versionId") && !r.HasQuery("uploadId"))))
        {
            if (Versioning && !r.HasQuery("versionId")) return await Error(response, 400, "NotEmulated", "A delete without a version id adds a delete marker in a versioned bucket, which the test gateway does not emulate");
            if (HeldAgainstDelete(key, r)) return await Error(response, 403, "AccessDenied", "Access Denied");
            await Forward(request, r, response).ConfigureAwait(false);
            if (response.StatusCode < 300) _locks.TryRemove(key, out _);
            return true;
        }
        return false;
    }

    private async Task<bool> PutRetention(HttpListenerRequest request, S3GatewayRequest r, HttpListenerResponse response, string key)
    {
        if (!ObjectLockEnabled) return await Refuse(request, response, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
        var body = XDocument.Parse(await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync(_stop.Token).ConfigureAwait(false));
        var mode = body.Descendants().FirstOrDefault(e => e.Name.LocalName == "Mode")?.Value.ToUpperInvariant();
        var untilText = body.Descendants().FirstOrDefault(e => e.Name.LocalName == "RetainUntilDate")?.Value;
        if (mode is not ("GOVERNANCE" or "COMPLIANCE") || !DateTimeOffset.TryParse(untilText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
            return await Error(response, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        if (until <= DateTimeOffset.UtcNow) return await Error(response, 400, "InvalidArgument", "The retain until date must be in the future!");
        if (_locks.TryGetValue(key, out var current) && current.Until > DateTimeOffset.UtcNow && (until < current.Until || mode != current.Mode))
        {
            var bypass = current.Mode == "GOVERNANCE" && string.Equals(r.Header("x-amz-bypass-governance-retention"), "true", StringComparison.OrdinalIgnoreCase);
            if (!bypass) return await Error(response, 403, "AccessDenied", "Access Denied");
        }
        _locks[key] = new LockEntry(mode, until);
        response.StatusCode = 200;
        response.ContentLength64 = 0;
        return true;
    }

    /// <summary>Locked keys (and those <see cref="DeleteError"/> names) come back as Errors of a 200 answer, as S3 answers;
    /// the others go to the real server in a request of their own.</summary>
    private async Task DeleteObjects(HttpListenerRequest request, S3GatewayRequest r, HttpListenerResponse response)
    {
        var doc = XDocument.Parse(await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync(_stop.Token).ConfigureAwait(false));
        var refused = new List<XElement>();
        foreach (var o in doc.Root!.Elements().Where(e => e.Name.LocalName == "Object").ToList())
        {
            var key = o.Elements().First(e => e.Name.LocalName == "Key").Value;
            var versioned = o.Elements().Any(e => e.Name.LocalName == "VersionId");
            var code = Versioning && !versioned ? "NotEmulated" : HeldAgainstDelete(key, r) ? "AccessDenied" : DeleteError?.Invoke(key);
            if (code is null) continue;
            refused.Add(new XElement(S3Xml + "Error", new XElement(S3Xml + "Key", key), new XElement(S3Xml + "Code", code),
                new XElement(S3Xml + "Message", code == "AccessDenied" ? "Access Denied" : "Refused by the test gateway")));
            o.Remove();
        }
        XElement result;
        if (doc.Root.Elements().Any(e => e.Name.LocalName == "Object"))
        {
            // The headers stay as signed (s3rver checks the signature, not the body's digest).
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(doc.Root.ToString(SaveOptions.DisableFormatting)));
            using var message = Upstream(r, content);
            using var answer = await _upstream.SendAsync(message, _stop.Token).ConfigureAwait(false);
            var text = await answer.Content.ReadAsStringAsync(_stop.Token).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode)
            {
                await Raw(response, (int)answer.StatusCode, text);
                return;
            }
            result = XDocument.Parse(text).Root!;
            foreach (var deleted in result.Elements().Where(e => e.Name.LocalName == "Deleted"))
                _locks.TryRemove(deleted.Elements().First(e => e.Name.LocalName == "Key").Value, out _);
        }
        else result = new XElement(S3Xml + "DeleteResult");
        foreach (var e in refused) result.Add(e);
        await Xml(response, 200, result);
    }

    /// <summary>ListObjectVersions: each object (listed by the real server) as its one version, "1".</summary>
    private async Task<bool> ListVersions(S3GatewayRequest r, HttpListenerResponse response)
    {
        var prefix = r.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == "prefix").Select(p => Uri.UnescapeDataString(p[1])).FirstOrDefault() ?? "";
        var bucket = r.Path.Trim('/');
        _direct ??= ShippyarDr.Repository.S3.S3ClientFactory.Create(_server.Options());
        var result = new XElement(S3Xml + "ListVersionsResult", new XElement(S3Xml + "Name", bucket), new XElement(S3Xml + "Prefix", prefix),
            new XElement(S3Xml + "MaxKeys", 1000), new XElement(S3Xml + "IsTruncated", "false"));
        var request = new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var page = await _direct.ListObjectsV2Async(request, _stop.Token).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? new List<Amazon.S3.Model.S3Object>())
                result.Add(new XElement(S3Xml + "Version", new XElement(S3Xml + "Key", o.Key), new XElement(S3Xml + "VersionId", "1"),
                    new XElement(S3Xml + "IsLatest", "true"), new XElement(S3Xml + "Size", o.Size ?? 0), new XElement(S3Xml + "StorageClass", "STANDARD")));
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        return await Xml(response, 200, result);
    }

    /// <summary>An error answer to a request whose body is still coming: the body is read first, as a server does, so the
    /// client sees the answer and not a connection reset (which, under load, it otherwise may).</summary>
    private async Task<bool> Refuse(HttpListenerRequest request, HttpListenerResponse response, int status, string code, string message)
    {
        await request.InputStream.CopyToAsync(Stream.Null, _stop.Token).ConfigureAwait(false);
        return await Error(response, status, code, message).ConfigureAwait(false);
    }

    private static Task<bool> Error(HttpListenerResponse response, int status, string code, string message)
        => Xml(response, status, new XElement("Error", new XElement("Code", code), new XElement("Message", message), new XElement("RequestId", Guid.NewGuid().ToString("N"))));

    private static async Task<bool> Xml(HttpListenerResponse response, int status, XElement body)
    {
        await Raw(response, status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body.ToString(SaveOptions.DisableFormatting));
        return true;
    }

    private static async Task Raw(HttpListenerResponse response, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }
}
