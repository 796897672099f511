namespace ShippyarDr;

/// <summary>How an object was encrypted: never the secret, only what identifies the key needed to read it.</summary>
public sealed class EncryptionInfo
{
    /// <summary>"OpenPGP AES256".</summary>
    public string Algorithm { get; set; } = "";
    /// <summary>"passphrase" or "public-key".</summary>
    public string Mode { get; set; } = "";
    /// <summary>Fingerprints of the recipient keys (public-key mode), as gpg prints them.</summary>
    public List<string> KeyFingerprints { get; set; } = new();
}
