using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A loopback TCP endpoint that never answers, as a store behind a dead proxy or a hung server does. Accepting: it
/// accepts every connection, reads and discards what arrives, and never sends a byte. Not accepting
/// (<see cref="NotAccepting"/>): its accept queue is full, so the kernel drops new connection attempts and a
/// connect waits until the client gives up.
/// </summary>
public sealed class SilentEndpoint : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly ConcurrentBag<Socket> _held = new();
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    private SilentEndpoint(bool accepting)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        if (accepting)
        {
            _listener.Listen();
            _ = Task.Run(AcceptLoop);
            return;
        }
        // Backlog 0 queues one connection (Linux); the filler takes that place, so every later SYN is dropped.
        _listener.Listen(0);
        var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(IPAddress.Loopback, Port);
        _held.Add(filler);
    }

    public static SilentEndpoint Accepting() => new(true);
    public static SilentEndpoint NotAccepting() => new(false);

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Connections accepted so far: one per attempt, since a timed-out connection is never reused.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            Interlocked.Increment(ref _accepted);
            _held.Add(client);
            _ = Task.Run(() => Drain(client));
        }
    }

    // Reading keeps the client's writes from blocking, so what it waits for is only ever the answer.
    private async Task Drain(Socket client)
    {
        var buffer = new byte[64 * 1024];
        try { while (await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false) > 0) { } }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (var s in _held) s.Dispose();
    }
}
