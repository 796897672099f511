using ShippyarDr.Diagnostics;

namespace ShippyarDr.Configuration;

/// <summary>
/// Whether a configuration file may be trusted: it decides where backups and WAL go and which keys are trusted, so
/// nobody but root and the reader may have been able to write it, or replace it.
/// </summary>
internal static class ConfigurationTrust
{
    private const UnixFileMode Writable = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>
    /// Refuses a file that someone other than root or this user could have written: its owner, its mode (group or
    /// others may write), and its directory (whoever may write there may replace the file; a sticky directory such as
    /// /tmp lets nobody replace another's file). Symbolic links are judged by their target.
    /// </summary>
    public static void Check(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var real = ConfigurationFile.RealPath(path);
        var me = FileOwnership.EffectiveUserId;
        var file = FileOwnership.Stat(real);
        var mode = file?.Mode ?? File.GetUnixFileMode(real);
        if (file is { IsRegularFile: false }) throw ConfigurationJson.Invalid(path, "it is not a regular file.");
        if (file is { } f && f.Uid != 0 && f.Uid != me)
            throw Insecure(path, $"it is owned by {FileOwnership.UserName(f.Uid)}, and only a file of root or of {FileOwnership.UserName(me)} is trusted: "
                                 + $"whoever owns it decides where backups and WAL go. chown root {real}");
        if ((mode & Writable) != 0)
            throw Insecure(path, $"group or others may write it (mode {Octal(mode)}): they could redirect backups and WAL. chmod go-w {real}");
        var directory = System.IO.Path.GetDirectoryName(real)!;
        var dir = FileOwnership.Stat(directory);
        var dirMode = dir?.Mode ?? File.GetUnixFileMode(directory);
        var sticky = (dirMode & UnixFileMode.StickyBit) != 0;
        if (dir is { } dd && dd.Uid != 0 && dd.Uid != me && !sticky)
            throw Insecure(path, $"its directory {directory} is owned by {FileOwnership.UserName(dd.Uid)}, who could replace the file.");
        if ((dirMode & Writable) != 0 && !sticky)
            throw Insecure(path, $"group or others may write its directory {directory} (mode {Octal(dirMode)}) and so replace the file. chmod go-w {directory}");
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');

    private static ShippyarException Insecure(string path, string why)
        => new(ShippyarErrorKind.PermissionDenied, ErrorIds.ConfigurationInsecure, $"Configuration file {path} is not used: {why}", path);
}
