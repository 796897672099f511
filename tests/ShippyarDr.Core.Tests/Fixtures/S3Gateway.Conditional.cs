using System.Net;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// Conditional writes, which s3rver ignores: a PUT with If-None-Match: * is refused (412 PreconditionFailed) when the
/// object exists, as S3 does; a store without them answers 501. HEAD can be made to miss keys, as for a writer whose
/// existence check ran just before another writer's PUT of the same key.
/// </summary>
public sealed partial class S3Gateway
{
    /// <summary>Emulate If-None-Match: * on PutObject (412 when the object exists).</summary>
    public bool ConditionalWrites { get; set; }

    /// <summary>Answer PutObject with If-None-Match with 501 NotImplemented, as a store without conditional writes.</summary>
    public bool RefuseConditionalWrites { get; set; }

    /// <summary>Object keys (the repository's prefix included) HEAD answers 404 for, whether they exist or not.</summary>
    public Func<string, bool>? HiddenFromHead { get; set; }

    /// <summary>Answers what conditional writes concern; false for requests it leaves to the rest.</summary>
    private async Task<bool> Conditional(HttpListenerRequest request, S3GatewayRequest r, HttpListenerResponse response, bool isObject)
    {
        if (!isObject) return false;
        var key = ObjectKey(r.Path);
        if (r.Method == "HEAD" && HiddenFromHead?.Invoke(key) == true)
        {
            response.StatusCode = 404;
            return true;
        }
        if (r.Method != "PUT" || r.Query.Length != 0 || r.Header("If-None-Match") != "*") return false;
        if (RefuseConditionalWrites) return await Refuse(request, response, 501, "NotImplemented", "A header you provided implies functionality that is not implemented");
        if (!ConditionalWrites) return false;
        _direct ??= ShippyarDr.Repository.S3.S3ClientFactory.Create(_server.Options());
        try
        {
            await _direct.GetObjectMetadataAsync(S3Server.Bucket, key, _stop.Token).ConfigureAwait(false);
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        return await Refuse(request, response, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    }
}
