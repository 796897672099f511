using System.Net;
using System.Net.Sockets;

namespace ShippyarDr.Cluster;

/// <summary>A TCP port nothing listens on at the moment, as the kernel hands out for port 0.</summary>
public static class FreePort
{
    public static int OnLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
