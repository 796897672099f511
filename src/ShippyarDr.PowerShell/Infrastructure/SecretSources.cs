using System.Runtime.InteropServices;
using System.Security;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// Where a passphrase may come from in PowerShell: a SecureString (Read-Host -AsSecureString, Get-Credential, a vault),
/// or what any host may refer to (SecretReference: a file, an environment variable). Never a plain string parameter:
/// that would end up in transcripts and history.
/// </summary>
internal static class SecretSources
{
    /// <summary>The secret from whichever source was given (null when none was); <paramref name="file"/> is a resolved
    /// file system path. An empty passphrase is refused unless <paramref name="allowEmpty"/> (a secret key may have none).</summary>
    public static char[]? Read(SecureString? secure, string? file, string? variable, string what, IOperationReporter reporter, bool allowEmpty = false)
    {
        var given = (secure is not null ? 1 : 0) + (file is not null ? 1 : 0) + (variable is not null ? 1 : 0);
        if (given > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PassphraseAmbiguous, $"Give the {what} one way only.");
        if (secure is not null)
        {
            if (secure.Length == 0 && !allowEmpty)
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.EmptyPassphrase, $"The {what} is empty.");
            return FromSecureString(secure);
        }
        return SecretReference.Read(file, variable, what, reporter);
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
