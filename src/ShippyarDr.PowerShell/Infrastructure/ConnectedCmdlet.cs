using System.Management.Automation;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that works with repositories and a server: the connection parameters (see ConnectionParameters), so a
/// backup piped in defaults to the server it came from.
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
        => ConnectionParameters.Resolve(this, Server, Port, Credential, ConnectionString, fallbackServer);
}
