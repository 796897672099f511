using System.Management.Automation;
using System.Net;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// Connection parameters shared by every cmdlet that talks to a server. -Server accepts "host" or "host:port"
/// (as BackupInfo.Server records it), so a backup piped in defaults to the server it came from. Parameters not
/// given fall back to the connection string, then PGHOST/PGPORT/PGUSER/PGPASSWORD and .pgpass, as libpq does.
/// </summary>
public abstract class ConnectedCmdlet : RepositoryCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Host", "SqlInstance")]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>The connection for this record; <paramref name="fallbackServer"/> ("host:port") when -Server was not given.</summary>
    private protected PgConnectionInfo ResolveConnection(string? fallbackServer = null)
    {
        var (host, port) = SplitServer(Server ?? fallbackServer);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)) || Port > 0) port = Port;
        NetworkCredential? credential = Credential is null || Credential == PSCredential.Empty ? null : Credential.GetNetworkCredential();
        return PgConnectionInfo.Resolve(host, port, credential?.UserName, credential?.Password, ConnectionString);
    }

    /// <summary>"host", "host:port" or "[v6]:port".</summary>
    internal static (string? Host, int? Port) SplitServer(string? server)
    {
        if (string.IsNullOrWhiteSpace(server)) return (null, null);
        var colon = server.LastIndexOf(':');
        var isBareIpv6 = server.IndexOf(':') != colon && !server.StartsWith('[');
        if (colon > 0 && !isBareIpv6 && int.TryParse(server[(colon + 1)..], out var port))
            return (server[..colon].Trim('[', ']'), port);
        return (server.Trim('[', ']'), null);
    }
}
