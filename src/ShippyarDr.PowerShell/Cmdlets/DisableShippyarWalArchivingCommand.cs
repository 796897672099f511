using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Server;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Turns WAL archiving off: archive_command reset, archive_mode off (from the next restart). Point-in-time recovery past this point becomes impossible.</summary>
[Cmdlet(VerbsLifecycle.Disable, "ShippyarWalArchiving", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(WalArchivingState))]
public sealed class DisableShippyarWalArchivingCommand : ServerCmdlet
{
    protected override void ProcessRecord()
    {
        Run("WAL archiving", reporter =>
        {
            var connection = ResolveConnection();
            if (!ShouldProcessOrExplain($"server {connection.DisplayName}", "Reset archive_command and set archive_mode = off (no WAL is archived from then on)")) return;
            var state = WalArchivingSettings.Disable(connection, Cancel);
            if (state.RestartRequired)
                reporter.Warning($"Restart the server at {connection.DisplayName} for archive_mode = off to take effect; until then it keeps archiving segments, through no command.");
            WriteObject(state);
        });
    }
}
