using System.Collections.Concurrent;

namespace ShippyarDr.Diagnostics;

/// <summary>
/// Last line of defence for "secrets never appear in logs or errors": every password the engine is handed is
/// registered here, and every message the engine emits (errors, verbose lines, tool stderr) is scrubbed of it.
/// </summary>
public static class SecretRedactor
{
    private static readonly ConcurrentDictionary<string, byte> Secrets = new();
    public const string Mask = "********";

    public static void Register(string? secret)
    {
        // Very short secrets would mask ordinary words; they are still never written anywhere by us.
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 4) Secrets.TryAdd(secret, 0);
    }

    public static string Redact(string message)
    {
        if (string.IsNullOrEmpty(message)) return message;
        foreach (var secret in Secrets.Keys)
            if (message.Contains(secret, StringComparison.Ordinal))
                message = message.Replace(secret, Mask, StringComparison.Ordinal);
        return message;
    }
}
