using System.Management.Automation;
using ShippyarDr.PowerShell.Infrastructure;
using ShippyarDr.Sandbox;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Stops a sandbox cluster and deletes its files.</summary>
[Cmdlet(VerbsCommon.Remove, "ShippyarSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveShippyarSandboxCommand : ShippyarCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PostgresSandbox? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        var sandbox = InputObject!;
        if (!ShouldProcessOrExplain($"sandbox on {sandbox.Server}:{sandbox.Port} ({sandbox.RootDirectory})", "Stop and delete")) return;
        Run(sandbox.RootDirectory, _ => sandbox.Dispose());
    }
}
