namespace ShippyarDr;

/// <summary>What a backup folder holds to authenticate its manifest (and, through its checksums, every object).</summary>
[Flags]
public enum ManifestAuthentication
{
    None = 0,
    /// <summary>An OpenPGP detached signature, manifest.json.sig (gpg --verify manifest.json.sig manifest.json).</summary>
    Signature = 1,
    /// <summary>An HMAC under a key derived from the backup's passphrase, manifest.json.mac.</summary>
    Mac = 2,
}
