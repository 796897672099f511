using System.Globalization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Recovery;

/// <summary>Makes room for a restore without deleting anything: a directory that is not empty is renamed to a sibling
/// "&lt;dir&gt;.shippyar-&lt;UTC time&gt;" (one rename: on the same file system, nothing is copied and nothing can be half moved).</summary>
public static class MoveAside
{
    /// <summary>Where the directory went; null when there was nothing to move (absent, or empty).</summary>
    public static string? IfNotEmpty(string directory, DateTimeOffset now)
    {
        directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (File.Exists(directory))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RestoreTargetNotEmpty, $"{directory} is a file, not a directory.", directory);
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any()) return null;
        var stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var aside = $"{directory}.shippyar-{stamp}";
        for (var i = 2; Directory.Exists(aside) || File.Exists(aside); i++) aside = $"{directory}.shippyar-{stamp}-{i}";
        try
        {
            Directory.Move(directory, aside);
        }
        catch (IOException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.MoveAsideFailed,
                $"{directory} could not be renamed to {aside} ({e.Message}); it is left as it was. Move its contents elsewhere, then restore into the empty directory.", directory, e);
        }
        return aside;
    }
}
