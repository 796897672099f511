using System.Management.Automation;
using ShippyarDr.Connection;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>A cmdlet that talks to a server and to no repository: the connection parameters alone (no S3, no passphrase).</summary>
public abstract class ServerCmdlet : ShippyarCmdlet
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

    private protected PgConnectionInfo ResolveConnection(string? fallbackServer = null)
        => ConnectionParameters.Resolve(this, Server, Port, Credential, ConnectionString, fallbackServer);
}
