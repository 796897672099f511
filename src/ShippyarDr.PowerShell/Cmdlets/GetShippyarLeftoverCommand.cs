using System.Management.Automation;
using ShippyarDr.Leftovers;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// What interrupted runs left behind: staging, scratch and replaced databases on a server, and with -Repository the
/// partial backups of those repositories, and with -ScratchCluster the scratch clusters of base backup verifications on
/// this machine. Each says whether a run still owns it.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ShippyarLeftover")]
[OutputType(typeof(Leftover))]
public sealed class GetShippyarLeftoverCommand : ConnectedCmdlet
{
    /// <summary>Repositories to look for partial backups in. Given alone (no connection parameter), the server is not asked.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string[]? Repository { get; set; }

    /// <summary>Also list the scratch data directories (and servers) that killed base backup verifications left on this machine. Given alone, the server is not asked.</summary>
    [Parameter]
    public SwitchParameter ScratchCluster { get; set; }

    protected override void ProcessRecord()
    {
        if (ScratchCluster) Run("scratch clusters", _ => WriteObject(ScratchClusterLeftovers.Find(), enumerateCollection: true));
        if ((Repository is null && !ScratchCluster) || ConnectionParameters.AnyGiven(this))
        {
            var connection = ResolveConnection();
            Run(connection.DisplayName, _ => WriteObject(LeftoverFinder.Find(connection, Cancel), enumerateCollection: true));
        }
        foreach (var location in Repository ?? Array.Empty<string>())
            Run(location, reporter => WriteObject(PartialBackupLeftovers.Find(OpenRepository(location, reporter: reporter), DateTimeOffset.UtcNow), enumerateCollection: true));
    }
}
