namespace ShippyarDr.Pipeline;

/// <summary>The encryption stage of the write pipeline (OpenPGP): wraps an output so what is written reaches it encrypted.</summary>
public interface IEncryptionStage
{
    EncryptionInfo Describe();

    /// <summary>A write-only stream; disposing it finishes the encrypted message but leaves <paramref name="output"/> open.</summary>
    Stream Encrypt(Stream output, string fileName);
}

/// <summary>The decryption stage of the read pipeline: fails before returning plaintext when the key is wrong.</summary>
public interface IDecryptionStage
{
    Stream Decrypt(Stream input);
}
