using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using ShippyarDr.Configuration;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// Tab completion of -Repository (and -Destination, -Name) with the registered names. When no name matches it offers
/// nothing, and PowerShell completes paths as usual.
/// </summary>
public sealed class RepositoryNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<RegisteredRepository> registered;
        // A configuration that cannot be read says so when it is used, not while typing.
        try { registered = RepositoryRegistry.Load().List(); }
        catch (Exception e) when (e is Diagnostics.ShippyarException or IOException or UnauthorizedAccessException) { yield break; }
        var typed = wordToComplete.Trim('\'', '"');
        foreach (var r in registered.Where(r => r.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
            yield return new CompletionResult(r.Name, r.Name, CompletionResultType.ParameterValue, $"{r.Name}: {r.Location} ({r.Scope})");
    }
}
