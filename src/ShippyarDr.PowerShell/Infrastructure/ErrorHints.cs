namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>What a PowerShell user can do about an engine error: the engine's messages do not name parameters.</summary>
internal static class ErrorHints
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["PostgresDatabaseTarget"] = "Add -Force to replace the postgres database (a safety backup is still taken); -Confirm:$false alone does not.",
        ["LeftoverInUse"] = "Run Get-ShippyarLeftover again once the run is over or the sessions are gone.",
        ["TargetExists"] = "Add -Force (or answer the confirmation) to replace it.",
        ["NotAClusterBackup"] = "Use Restore-ShippyarDatabase.",
        ["AuthenticationFailed"] = "Give -Credential, or set PGPASSWORD or ~/.pgpass.",
        ["SigningKeyRequired"] = "Give -SigningKeyFile (for a restore, a -SecretKeyFile key that can sign also does).",
        ["AuthenticationRequired"] = "Give -SigningKeyFile, or encrypt with -Passphrase, -PassphraseFile or -PassphraseVariable.",
        ["BackupNotAuthentic"] = "Give the signers' public keys with -SignerKeyFile (or the passphrase); -AllowUnauthenticated accepts a backup that is not sealed.",
    };

    public static string? For(string errorId) => Hints.GetValueOrDefault(errorId);
}
