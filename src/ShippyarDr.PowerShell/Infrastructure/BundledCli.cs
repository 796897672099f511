using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>The module's own shippyar-dr (bin/ beside the module assembly): what archive_command runs.</summary>
internal static class BundledCli
{
    public static string Path
    {
        get
        {
            var moduleDirectory = System.IO.Path.GetDirectoryName(typeof(BundledCli).Assembly.Location)!;
            var path = System.IO.Path.Combine(moduleDirectory, "bin", "shippyar-dr");
            return File.Exists(path) ? path
                : throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.ArchiverExecutableMissing,
                    $"The WAL archiver {path} is missing from the module folder {moduleDirectory}: reinstall the module (or build it with its bin/ folder).", path);
        }
    }
}
