using System.Management.Automation;
using System.Net;
using ShippyarDr.Connection;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// The one resolution of the connection parameters (-Server, -Port, -Credential, -ConnectionString), which both
/// connection bases declare: -Server takes "host" or "host:port" (as BackupInfo.Server records it); what is not given
/// falls back to the connection string, then PGHOST/PGPORT/PGUSER/PGPASSWORD and .pgpass, as libpq does.
/// </summary>
internal static class ConnectionParameters
{
    public static readonly string[] Names = { "Server", "Port", "Credential", "ConnectionString" };

    public static PgConnectionInfo Resolve(PSCmdlet cmdlet, string? server, int port, PSCredential? credential, string? connectionString, string? fallbackServer)
    {
        var (host, splitPort) = PgConnectionInfo.SplitServer(server ?? fallbackServer);
        int? resolvedPort = cmdlet.MyInvocation.BoundParameters.ContainsKey("Port") || port > 0 ? port : splitPort;
        NetworkCredential? network = credential is null || credential == PSCredential.Empty ? null : credential.GetNetworkCredential();
        return PgConnectionInfo.Resolve(host, resolvedPort, network?.UserName, network?.Password, connectionString);
    }

    /// <summary>Whether any connection parameter was given (so a server is to be asked at all).</summary>
    public static bool AnyGiven(PSCmdlet cmdlet) => Names.Any(cmdlet.MyInvocation.BoundParameters.ContainsKey);
}
