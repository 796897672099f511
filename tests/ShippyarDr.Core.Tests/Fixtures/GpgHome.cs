using System.Diagnostics;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>A throwaway gpg home with an RSA key pair ("Backup &lt;backup@shippyar.example&gt;") and a Curve25519 one ("Vault"), both protected by a passphrase.</summary>
public sealed class GpgHome : IDisposable
{
    public const string KeyPassphrase = "key-secret-Tiger7";
    public const string UserId = "Backup <backup@shippyar.example>";

    public GpgHome()
    {
        // Short path: gpg-agent's socket lives here and Unix socket paths are limited to ~107 bytes.
        Home = Directory.CreateTempSubdirectory("gpg").FullName;
        PassphraseFile = Path.Combine(Home, "pass.txt");
        File.WriteAllText(PassphraseFile, KeyPassphrase);
        // gpg's defaults: a signing primary key and an encryption subkey, as a real backup key would have.
        Run("--passphrase-file", PassphraseFile, "--quick-gen-key", UserId, "default", "default", "never");
        PublicKeyFile = Path.Combine(Home, "public.asc");
        SecretKeyFile = Path.Combine(Home, "secret.asc");
        Run("--armor", "--output", PublicKeyFile, "--export", "backup@shippyar.example");
        Run("--passphrase-file", PassphraseFile, "--armor", "--output", SecretKeyFile, "--export-secret-keys", "backup@shippyar.example");
        Fingerprint = Run("--with-colons", "--fingerprint", "backup@shippyar.example").Split('\n')
            .First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        // A second, elliptic-curve key (Ed25519 with a Curve25519 ECDH subkey), as gpg 2.3+ makes by default.
        Run("--passphrase-file", PassphraseFile, "--quick-gen-key", EcUserId, "future-default", "default", "never");
        EcPublicKeyFile = Path.Combine(Home, "ec-public.asc");
        EcSecretKeyFile = Path.Combine(Home, "ec-secret.asc");
        Run("--armor", "--output", EcPublicKeyFile, "--export", "vault@shippyar.example");
        Run("--passphrase-file", PassphraseFile, "--armor", "--output", EcSecretKeyFile, "--export-secret-keys", "vault@shippyar.example");
        BothPublicKeysFile = Path.Combine(Home, "both-public.asc");
        Run("--armor", "--output", BothPublicKeysFile, "--export", "backup@shippyar.example", "vault@shippyar.example");
    }

    public const string EcUserId = "Vault <vault@shippyar.example>";
    public string EcPublicKeyFile { get; }
    public string EcSecretKeyFile { get; }
    /// <summary>Both public keys in one file, as a DR team's keyring export holds them.</summary>
    public string BothPublicKeysFile { get; }

    public string Home { get; }
    public string PassphraseFile { get; }
    public string PublicKeyFile { get; }
    public string SecretKeyFile { get; }
    /// <summary>The primary key's fingerprint as gpg prints it.</summary>
    public string Fingerprint { get; }

    /// <summary>Runs gpg in batch mode on this home; returns stdout, throws on failure.</summary>
    public string Run(params string[] args)
    {
        var psi = new ProcessStartInfo("gpg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--batch", "--yes", "--homedir", Home, "--pinentry-mode", "loopback" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"gpg {string.Join(' ', args)} failed: {stderr.Result}");
        return stdout;
    }

    public void Dispose()
    {
        try { Process.Start("gpgconf", new[] { "--homedir", Home, "--kill", "gpg-agent" })?.WaitForExit(5000); }
        catch (System.ComponentModel.Win32Exception) { }
        try { Directory.Delete(Home, recursive: true); }
        catch (IOException) { }
    }
}
