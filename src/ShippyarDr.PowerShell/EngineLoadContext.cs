using System.Reflection;
using System.Runtime.Loader;

namespace ShippyarDr.PowerShell;

/// <summary>
/// The load context that holds the engine (ShippyarDr.Core) and everything it depends on (Npgsql, and later
/// AWSSDK and BouncyCastle). Those assemblies live in the module's dependencies/ folder, which PowerShell
/// never probes, so other modules can load other versions of the same libraries into the default context.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    private readonly string _dependencyDirectory;

    private EngineLoadContext(string dependencyDirectory) : base("ShippyarDr.Engine", isCollectible: false)
        => _dependencyDirectory = dependencyDirectory;

    internal static EngineLoadContext Instance { get; } = new(Path.Combine(
        Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "dependencies"));

    internal const string EngineAssemblyName = "ShippyarDr.Core";

    private static readonly string FrameworkDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Framework assemblies (some arrive as NuGet packages for older targets, e.g. DiagnosticSource) are
        // shared with the default context: the running framework's copy is at least as new as ours.
        if (File.Exists(Path.Combine(FrameworkDirectory, assemblyName.Name + ".dll"))) return null;
        // Anything shipped in dependencies/ is ours, whatever else the session has loaded.
        var path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>Called by the default context when the cmdlet assembly asks for the engine.</summary>
    internal static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName assemblyName)
        => assemblyName.Name == EngineAssemblyName ? Instance.LoadFromAssemblyName(assemblyName) : null;
}
