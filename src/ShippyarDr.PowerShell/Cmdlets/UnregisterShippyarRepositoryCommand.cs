using System.Management.Automation;
using ShippyarDr.Configuration;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>Removes a repository's registration (never its backups). Pipe Get-ShippyarRepository into it.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "ShippyarRepository", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class UnregisterShippyarRepositoryCommand : ShippyarCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>The scope to remove it from; the one whose entry is in effect when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ConfigurationScope? Scope { get; set; }

    protected override void ProcessRecord()
    {
        Run(Name, reporter =>
        {
            var registry = RepositoryRegistry.Load();
            var target = registry.Get(Name, Scope);
            if (!ShouldProcessOrExplain($"repository {target.Name} ({target.Location}) in {target.ConfigurationFile}", "Unregister (its backups stay)")) return;
            registry.Unregister(target.Name, target.Scope, reporter);
        });
    }
}
