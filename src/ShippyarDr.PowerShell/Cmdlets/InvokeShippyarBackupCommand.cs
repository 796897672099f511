using System.Management.Automation;
using ShippyarDr.Backup;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Repository;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Backs up databases into a repository; one BackupInfo per database.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "ShippyarBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupInfo))]
public sealed class InvokeShippyarBackupCommand : ConnectedCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[] Database { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    [Parameter]
    public BackupTier Tier { get; set; } = BackupTier.Daily;

    protected override void ProcessRecord()
    {
        foreach (var database in Database)
        {
            var connection = ResolveConnection();
            if (!ShouldProcess($"{database} on {connection.DisplayName}", $"{Tier} backup into {Repository}")) continue;
            Run(database, reporter =>
            {
                var repository = RepositoryFactory.Open(Repository);
                var info = new BackupEngine(reporter).Run(new BackupRequest { Database = database, Connection = connection, Tier = Tier }, repository, Cancel);
                WriteObject(info);
            });
        }
    }
}
