namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>What a PowerShell user can do about an engine error: the engine's messages do not name parameters.</summary>
internal static class ErrorHints
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["PostgresDatabaseTarget"] = "Add -Force to replace the postgres database (a safety backup is still taken); -Confirm:$false alone does not.",
        ["LeftoverInUse"] = "Run Get-ShippyarLeftover again once the run is over or the sessions are gone.",
    };

    public static string? For(string errorId) => Hints.GetValueOrDefault(errorId);
}
