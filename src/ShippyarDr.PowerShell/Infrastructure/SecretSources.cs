using System.Runtime.InteropServices;
using System.Security;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// Where a passphrase may come from: a SecureString (Read-Host -AsSecureString, Get-Credential, a vault), a file
/// (mode 600, first line), or the name of an environment variable (Azure Automation, cron). Never a plain string
/// parameter: that would end up in transcripts and history.
/// </summary>
internal static class SecretSources
{
    public static char[]? Read(SecureString? secure, string? file, string? variable, string what)
    {
        var given = (secure is not null ? 1 : 0) + (file is not null ? 1 : 0) + (variable is not null ? 1 : 0);
        if (given > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "PassphraseAmbiguous", $"Give the {what} one way only.");
        if (secure is not null) return FromSecureString(secure);
        if (file is not null)
        {
            if (!File.Exists(file))
                throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, "PassphraseFileNotFound", $"The {what} file {file} does not exist.", file);
            var line = File.ReadLines(file).FirstOrDefault() ?? "";
            return line.ToCharArray();
        }
        if (variable is not null)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value))
                throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, "PassphraseVariableEmpty", $"Environment variable {variable} (the {what}) is not set.", variable);
            return value.ToCharArray();
        }
        return null;
    }

    private static char[] FromSecureString(SecureString secure)
    {
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            var chars = new char[secure.Length];
            Marshal.Copy(ptr, chars, 0, chars.Length);
            return chars;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }
}
