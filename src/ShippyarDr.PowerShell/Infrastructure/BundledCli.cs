using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>The shippyar-dr executable shipped in the module folder's bin/ (what archive_command and restore_command run).</summary>
internal static class BundledCli
{
    public static string Path()
    {
        var module = System.IO.Path.GetDirectoryName(typeof(BundledCli).Assembly.Location)!;
        var cli = System.IO.Path.Combine(module, "bin", OperatingSystem.IsWindows() ? "shippyar-dr.exe" : "shippyar-dr");
        return File.Exists(cli) ? cli
            : throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.CliNotFound,
                $"The shippyar-dr executable is not where the module ships it ({cli}): the recovered server could not fetch WAL. Reinstall the module.", cli);
    }
}
