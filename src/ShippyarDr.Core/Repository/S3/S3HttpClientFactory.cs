using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// The SDK's HTTP clients, with the connect timeout and the no-progress timeout of <see cref="S3RepositoryOptions"/>
/// on every connection (<see cref="S3ConnectionStream"/>). Without them a store that accepts connections and never
/// answers holds every call for as long as the operating system keeps the socket open. The rest follows the SDK's
/// own handler: no automatic decompression, its redirect and proxy settings.
/// </summary>
internal sealed class S3HttpClientFactory(TimeSpan connectTimeout, TimeSpan timeout) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = clientConfig.AllowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
        };
        if (clientConfig.MaxConnectionsPerServer is { } max) handler.MaxConnectionsPerServer = max;
        if (clientConfig.GetWebProxy() is { } proxy)
        {
            if (clientConfig.ProxyCredentials is not null) proxy.Credentials = clientConfig.ProxyCredentials;
            handler.Proxy = proxy;
        }
        // The connections bound stalls; a whole request (a large part on a slow link) may take as long as it moves.
        return new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
    {
        var endpoint = $"{context.DnsEndPoint.Host}:{context.DnsEndPoint.Port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, deadline.Token).ConfigureAwait(false);
            return new S3ConnectionStream(socket, endpoint, timeout);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            socket.Dispose();
            throw S3TimeoutException.Connect(endpoint, connectTimeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
