using System.Management.Automation;
using ShippyarDr.Leftovers;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Drops leftover databases, deletes partial backups, and stops and deletes scratch clusters found by
/// Get-ShippyarLeftover. Each is looked up again
/// first: one a live run owns, or someone is connected to, is never removed.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ShippyarLeftover", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveShippyarLeftoverCommand : ConnectedCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Leftover? InputObject { get; set; }

    // Not bound from the piped leftover's Server: a partial backup has none, and an empty value would fail the
    // record. The leftover's own server is the default anyway.
    [Parameter]
    [Alias("Host", "SqlInstance")]
    [ValidateNotNullOrEmpty]
    public new string? Server { get => base.Server; set => base.Server = value; }

    protected override void ProcessRecord()
    {
        var leftover = InputObject!;
        Run(leftover.Name, reporter =>
        {
            if (leftover.Kind == LeftoverKind.PartialBackup)
            {
                var repository = OpenRepository(leftover.Repository ?? throw new PSArgumentException("The leftover names no repository."), reporter: reporter);
                if (ShouldProcess($"partial backup {leftover.Name} in {repository.Location}", "Delete"))
                    PartialBackupLeftovers.Remove(repository, leftover.Name, DateTimeOffset.UtcNow);
                return;
            }
            if (leftover.Kind == LeftoverKind.ScratchCluster)
            {
                if (ShouldProcess($"scratch cluster {leftover.Name}{(leftover.Server is null ? "" : " (its server runs on " + leftover.Server + ")")}", "Stop and delete"))
                    ScratchClusterLeftovers.Remove(leftover.Name, Cancel);
                return;
            }
            var connection = ResolveConnection(leftover.Server);
            if (ShouldProcess($"database {leftover.Name} on {connection.DisplayName}", $"Drop ({leftover.Kind} leftover)"))
                LeftoverCleaner.Remove(connection, leftover.Name, Cancel);
        });
    }
}
