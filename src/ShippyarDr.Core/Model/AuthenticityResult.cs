namespace ShippyarDr;

/// <summary>Whether a backup's manifest is authentic, and how that was established.</summary>
public sealed class AuthenticityResult
{
    /// <summary>True when the backup may be used: authenticated, or unauthenticated where that is allowed.</summary>
    public bool Passed { get; set; }
    /// <summary>What was verified (a signature, a MAC, both); None for an unauthenticated backup.</summary>
    public ManifestAuthentication Verified { get; set; }
    /// <summary>The signer's primary key fingerprint when a signature verified.</summary>
    public string? SignerFingerprint { get; set; }
    public string Detail { get; set; } = "";
    /// <summary>A MAC did not match because the passphrase given does not open the backup at all (a wrong key, not a changed manifest).</summary>
    public bool WrongPassphrase { get; set; }
    public bool Authenticated => Verified != ManifestAuthentication.None;
}
