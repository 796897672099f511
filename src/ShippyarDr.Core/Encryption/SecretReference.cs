using ShippyarDr.Diagnostics;

namespace ShippyarDr.Encryption;

/// <summary>
/// A secret named by where it is, never given as itself: a file (its first line; warned about when others may read it)
/// or an environment variable (Azure Automation, cron, archive_command). What a host, a CLI or a registered
/// repository's configuration refers to.
/// </summary>
public static class SecretReference
{
    /// <summary>The secret from the file or the variable (at most one may be given); null when neither is.</summary>
    public static char[]? Read(string? file, string? variable, string what, IOperationReporter reporter)
    {
        if (file is not null && variable is not null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PassphraseAmbiguous, $"Give the {what} one way only.");
        if (file is not null) return KeyMaterialFile.ReadPassphrase(file, reporter, $"{what} file");
        if (variable is null) return null;
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.PassphraseVariableEmpty, $"Environment variable {variable} (the {what}) is not set.", variable);
        return value.ToCharArray();
    }
}
