using System.Runtime.Loader;

namespace ShippyarDr.PowerShell;

/// <summary>
/// Called by ShippyarDr.psm1 before it imports this assembly as a module. PowerShell inspects every cmdlet type
/// while importing, and those types name engine types (BackupInfo, BackupTier…), so the engine must already be
/// resolvable then; IModuleAssemblyInitializer.OnImport runs too late for that. This type itself names no engine
/// type, so calling it loads nothing but this assembly.
/// </summary>
public static class ModuleBootstrap
{
    private static int _registered;

    public static void RegisterEngineResolver()
    {
        // Import-Module -Force runs the psm1 again in the same process: register once.
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            AssemblyLoadContext.Default.Resolving += EngineLoadContext.ResolveEngine;
    }
}
