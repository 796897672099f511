using ShippyarDr.Diagnostics;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Core.Tests;

/// <summary>An endpoint the SDK cannot use is refused before a client exists, with the endpoint in the message.</summary>
public sealed class S3EndpointTests
{
    [Theory]
    [InlineData("not a url")]
    [InlineData("localhost:9000")]
    [InlineData("ftp://minio.example.com")]
    [InlineData("/var/minio")]
    [InlineData("http://")]
    public void A_endpoint_that_is_not_an_absolute_http_url_is_an_invalid_argument(string endpoint)
    {
        var e = Assert.Throws<ShippyarException>(() => new S3Repository("s3://shippyar-test", new S3RepositoryOptions { Endpoint = endpoint }));
        Assert.Equal(("InvalidS3Endpoint", ShippyarErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains($"'{endpoint}'", e.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000")]
    [InlineData("https://s3.eu-central-1.amazonaws.com")]
    public void Http_and_https_endpoints_pass(string endpoint) => new S3RepositoryOptions { Endpoint = endpoint }.Validate();
}
