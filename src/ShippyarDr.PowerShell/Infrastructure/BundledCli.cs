using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>The shippyar-dr executable shipped in the module folder's bin/: what archive_command and restore_command run.</summary>
internal static class BundledCli
{
    public static string Path
    {
        get
        {
            var module = System.IO.Path.GetDirectoryName(typeof(BundledCli).Assembly.Location)!;
            var cli = System.IO.Path.Combine(module, "bin", OperatingSystem.IsWindows() ? "shippyar-dr.exe" : "shippyar-dr");
            return File.Exists(cli) ? cli
                : throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.CliNotFound,
                    $"The shippyar-dr executable is missing from the module folder {module} ({cli}): PostgreSQL could neither archive nor fetch WAL through it. Reinstall the module (or build it with its bin/ folder).", cli);
        }
    }
}
