using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Server;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// What a repository's WAL archives hold, per cluster and timeline: oldest and newest segment, the gaps, the data-loss
/// exposure; with connection parameters, only that server's archive, with its pg_stat_archiver figures.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ShippyarWalArchive")]
[OutputType(typeof(WalArchiveStatus))]
public sealed class GetShippyarWalArchiveCommand : ConnectedCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Repository { get; set; } = "";

    protected override void ProcessRecord()
    {
        Run(Repository, reporter =>
        {
            var connected = MyInvocation.BoundParameters.ContainsKey(nameof(Server)) || MyInvocation.BoundParameters.ContainsKey(nameof(ConnectionString))
                            || MyInvocation.BoundParameters.ContainsKey(nameof(Port)) || MyInvocation.BoundParameters.ContainsKey(nameof(Credential));
            var repository = OpenRepository(Repository, reporter: reporter);
            try
            {
                var connection = connected ? ResolveConnection() : null;
                WriteObject(WalArchiveStatusReader.Read(repository, connection, DateTimeOffset.UtcNow, Cancel), enumerateCollection: true);
            }
            finally
            {
                (repository as IDisposable)?.Dispose();
            }
        });
    }
}
