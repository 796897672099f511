using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Server;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Writes a named restore point into the WAL (pg_create_restore_point): a target a point-in-time recovery can stop at.</summary>
[Cmdlet(VerbsCommon.New, "ShippyarRestorePoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(RestorePoint))]
public sealed class NewShippyarRestorePointCommand : ServerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        Run(Name, reporter =>
        {
            var connection = ResolveConnection();
            if (!ShouldProcessOrExplain($"server {connection.DisplayName}", $"Create restore point {Name}")) return;
            var point = RestorePoints.Create(connection, Name, Cancel);
            if (!point.Archiving)
                reporter.Warning($"Server {connection.DisplayName} does not archive WAL (archive_mode is off): no recovery can reach restore point {Name}.");
            WriteObject(point);
        });
    }
}
