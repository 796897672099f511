namespace ShippyarDr.Cluster;

/// <summary>How <see cref="LocalServer.Start"/> runs a server on a data directory. Port, socket directory and listen
/// addresses go on the server's command line (through pg_ctl -o), so they hold for this run only and never change the
/// data directory's own configuration.</summary>
public sealed class LocalServerOptions
{
    /// <summary>The port; null: what the data directory's configuration says.</summary>
    public int? Port { get; init; }
    /// <summary>Where the Unix-domain socket goes (unix_socket_directories); null: the configuration's.</summary>
    public string? SocketDirectory { get; init; }
    /// <summary>listen_addresses ("127.0.0.1", or "" for no TCP at all); null: the configuration's.</summary>
    public string? ListenAddresses { get; init; }
    /// <summary>The OS account the server runs as; it must own the data directory.</summary>
    public ServerAccount Account { get; init; } = ServerAccount.Default;
    /// <summary>The server's log (pg_ctl -l); null: a new file in the temporary directory, named in <see cref="LocalServer.LogFile"/>.</summary>
    public string? LogFile { get; init; }
    /// <summary>Wait until the server accepts connections (pg_ctl -w): after recovery, or once a standby is consistent.</summary>
    public bool Wait { get; init; } = true;
    /// <summary>How long a waited start may take (pg_ctl -t), recovery included. Ten minutes.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
