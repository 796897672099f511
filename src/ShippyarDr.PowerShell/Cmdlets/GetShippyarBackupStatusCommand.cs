using ShippyarDr.Diagnostics;
using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Repository;
using ShippyarDr.Status;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Backup health per database and tier, for dashboards and alerting.</summary>
[Cmdlet(VerbsCommon.Get, "ShippyarBackupStatus")]
[OutputType(typeof(BackupStatus))]
public sealed class GetShippyarBackupStatusCommand : ConnectedCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Repository { get; set; } = "";

    /// <summary>Databases that must have backups (a missing one is an Alert); every database in the repository when omitted.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <summary>How old the newest backup may be; each tier's own when omitted (Daily 26h, Weekly 7 days + 2h, Base 26h).</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? MaxAge { get; set; }

    protected override void ProcessRecord()
    {
        if (MaxAge is { } m && m <= TimeSpan.Zero)
            ThrowTerminatingError(ErrorRecords.Argument(ErrorIds.InvalidMaxAge, "-MaxAge must be positive.", MaxAge));
        Run(Repository, reporter =>
        {
            var repository = OpenRepository(Repository, reporter: reporter);
            // The server is asked only when named: status of a repository needs no connection.
            var leftovers = ConnectionParameters.AnyGiven(this)
                ? Leftovers.LeftoverFinder.Find(ResolveConnection(), Cancel) : Array.Empty<Leftover>();
            var request = new StatusRequest { Databases = Database ?? Array.Empty<string>(), MaxAge = MaxAge, Leftovers = leftovers };
            WriteObject(BackupStatusEvaluator.Evaluate(new BackupCatalog(repository), repository.Location, request), enumerateCollection: true);
        });
    }
}
