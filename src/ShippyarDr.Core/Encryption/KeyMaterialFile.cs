using ShippyarDr.Diagnostics;

namespace ShippyarDr.Encryption;

/// <summary>
/// Files a user names that hold keys or passphrases. Errors say what is wrong with the file itself (missing, a
/// directory, not readable) rather than what a parser made of it; a secret file that group or others may open
/// gets a warning, as ssh gives for private keys (the operation still runs: refusing would break a running
/// schedule over a permission bit).
/// </summary>
public static class KeyMaterialFile
{
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Opens <paramref name="path"/> for reading. Errors are {errorPrefix}NotFound, {errorPrefix}IsDirectory and
    /// {errorPrefix}AccessDenied; <paramref name="what"/> names the file in messages ("passphrase file", "key file").</summary>
    public static FileStream OpenRead(string path, string what, string errorPrefix)
    {
        if (Directory.Exists(path))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, errorPrefix + "IsDirectory", $"The {what} {path} is a directory, not a file.", path);
        if (!File.Exists(path))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, errorPrefix + "NotFound", $"The {what} {path} does not exist.", path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, errorPrefix + "AccessDenied",
                $"The {what} {path} cannot be read: permission denied for user {Environment.UserName}.", path, e);
        }
        catch (IOException e)
        {
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, errorPrefix + "Unreadable", $"The {what} {path} cannot be read: {e.Message}", path, e);
        }
    }

    /// <summary>A passphrase file's first line (without its line ending). An empty one is refused: it would encrypt with
    /// an empty passphrase, or never decrypt anything.</summary>
    public static char[] ReadPassphrase(string path, IOperationReporter reporter, string what = "passphrase file")
    {
        var line = new List<char>();
        using (var file = OpenRead(path, what, "PassphraseFile"))
        using (var reader = new StreamReader(file))
        {
            // Bounded: a device or a huge file named by mistake (/dev/zero, a dump) must not be read into memory whole.
            for (var c = reader.Read(); c >= 0 && c != '\n'; c = reader.Read())
            {
                if (line.Count == MaxPassphraseLength)
                    throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PassphraseFileInvalid,
                        $"The first line of the {what} {path} is longer than {MaxPassphraseLength} characters: that is not a passphrase file.", path);
                line.Add((char)c);
            }
        }
        if (line.Count > 0 && line[^1] == '\r') line.RemoveAt(line.Count - 1);
        WarnIfOpenToOthers(path, what, reporter);
        if (line.Count == 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.EmptyPassphrase,
                $"The {what} {path} is empty: its first line must hold the passphrase.", path);
        return line.ToArray();
    }

    private const int MaxPassphraseLength = 4096;

    /// <summary>Reports a warning when group or others may open the secret file <paramref name="path"/>.</summary>
    public static void WarnIfOpenToOthers(string path, string what, IOperationReporter reporter)
    {
        if (PermissionWarning(path, what) is { } warning) reporter.Warning(warning);
    }

    /// <summary>The warning for a secret file that group or others may open; null when only its owner may (or on Windows,
    /// whose ACLs this does not judge).</summary>
    public static string? PermissionWarning(string path, string what)
    {
        if (OperatingSystem.IsWindows()) return null;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) == 0) return null;
        var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
        return $"The {what} {path} is open to group or others (mode {octal}): other accounts on this machine may read the secret. "
               + $"Make it readable by its owner only: chmod 600 {path}";
    }
}
