namespace ShippyarDr.Pipeline;

/// <summary>The encryption stage of the write pipeline (OpenPGP): wraps an output so what is written reaches it encrypted.</summary>
public interface IEncryptionStage
{
    EncryptionInfo Describe();

    /// <summary>A write-only stream; disposing it finishes the encrypted message but leaves <paramref name="output"/> open.</summary>
    Stream Encrypt(Stream output, string fileName);

    /// <summary>The recipients' public keys (armored) to record in the manifest; null when no public keys are used.</summary>
    string? RecipientKeys { get; }

    /// <summary>What authenticates a manifest by this stage's secret (a passphrase's MAC); null when it has none to offer.</summary>
    Authentication.IManifestSealer? ManifestMac();
}

/// <summary>The decryption stage of the read pipeline: fails before returning plaintext when the key is wrong.</summary>
public interface IDecryptionStage
{
    Stream Decrypt(Stream input);
}
