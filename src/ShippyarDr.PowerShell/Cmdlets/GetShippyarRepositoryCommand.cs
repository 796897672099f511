using System.Management.Automation;
using ShippyarDr.Configuration;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>The registered repositories in effect (a user's entry hides a machine entry of the same name), or those of one scope.</summary>
[Cmdlet(VerbsCommon.Get, "ShippyarRepository")]
[OutputType(typeof(RegisteredRepository))]
public sealed class GetShippyarRepositoryCommand : ShippyarCmdlet
{
    /// <summary>Names; wildcards allowed. A name without wildcards that is not registered is an error.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Every entry of this scope's file, including one that a user's entry of the same name hides.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ConfigurationScope? Scope { get; set; }

    protected override void ProcessRecord()
    {
        Run(Name is null ? "repositories" : string.Join(", ", Name), _ =>
        {
            var registry = RepositoryRegistry.Load();
            var all = registry.List(Scope);
            if (Name is null)
            {
                WriteObject(all, enumerateCollection: true);
                return;
            }
            var found = new List<RegisteredRepository>();
            foreach (var name in Name)
            {
                var pattern = Wildcards.Pattern(name, nameof(Name));
                var matches = all.Where(r => pattern.IsMatch(r.Name)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    // The engine's error lists the names there are.
                    try { registry.Get(name, Scope); }
                    catch (Diagnostics.ShippyarException e) { WriteError(ErrorRecords.From(e)); }
                }
                found.AddRange(matches.Where(m => !found.Contains(m)));
            }
            WriteObject(found, enumerateCollection: true);
        });
    }
}
