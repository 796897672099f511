using System.Management.Automation;
using System.Runtime.Loader;

namespace ShippyarDr.PowerShell;

/// <summary>Registers the engine resolver when the module is imported, before any cmdlet touches an engine type.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static int _registered;

    public void OnImport()
    {
        // Import-Module -Force runs this again in the same process; register once.
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            AssemblyLoadContext.Default.Resolving += EngineLoadContext.ResolveEngine;
    }
}
