using System.Management.Automation;
using ShippyarDr.Leftovers;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// What interrupted runs left behind: staging, scratch and replaced databases on a server, and with -Repository the
/// partial backups of those repositories. Each says whether a run still owns it.
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

    protected override void ProcessRecord()
    {
        if (Repository is null || ConnectionParameters.AnyGiven(this))
        {
            var connection = ResolveConnection();
            Run(connection.DisplayName, _ => WriteObject(LeftoverFinder.Find(connection, Cancel), enumerateCollection: true));
        }
        foreach (var location in Repository ?? Array.Empty<string>())
            Run(location, reporter => WriteObject(PartialBackupLeftovers.Find(OpenRepository(location, reporter: reporter), DateTimeOffset.UtcNow), enumerateCollection: true));
    }
}
