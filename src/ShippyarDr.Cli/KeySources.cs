using ShippyarDr.Authentication;
using ShippyarDr.Compression;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Pipeline;
using ShippyarDr.Wal;

namespace ShippyarDr.Cli;

/// <summary>
/// Secrets and keys as the command line names them: files and environment variable names, never the secrets themselves
/// (a command line is visible to every user in ps). Everything is resolved by the engine's own functions.
/// </summary>
public static class KeySources
{
    public static readonly string[] PushOptions =
        ["passphrase-file", "passphrase-variable", "recipient", "recipient-key-file", "signing-key-file", "signing-key-passphrase-file",
         "signing-key-passphrase-variable", "compression", "compression-level"];
    public static readonly string[] FetchOptions =
        ["passphrase-file", "passphrase-variable", "secret-key-file", "secret-key-passphrase-file", "secret-key-passphrase-variable", "signer-key-file"];
    public static readonly string[] FetchFlags = ["allow-unauthenticated"];
    public static readonly string[] Repeatable = ["recipient"];

    /// <summary>How wal-push stores: compression, encryption (passphrase or recipients) and the signing key; the
    /// repository's registered encryption and signing key where the command line gives none (as Invoke-ShippyarBackup).</summary>
    public static (StorageOptions Storage, SigningKey? Signing) ForPush(CliArguments args, RepositorySettings repository, IOperationReporter reporter)
    {
        var compression = args.Get("compression") is { } name
            ? CompressionCodec.Parse(name, args.GetInt("compression-level", 1, 19))
            : args.GetInt("compression-level", 1, 19) is { } level ? CompressionCodec.Zstd(level) : WalPushRequest.DefaultCompression;
        var encryptionGiven = args.Get("passphrase-file") is not null || args.Get("passphrase-variable") is not null || args.GetAll("recipient") is not null
            || args.Get("recipient-key-file") is not null;
        var encryption = encryptionGiven
            ? OpenPgpEncryption.Choose(Passphrase(args, reporter), args.GetAll("recipient"), args.Get("recipient-key-file"))
            : repository.Encryption(reporter);
        var signing = args.Get("signing-key-file") is { } keyFile
            ? SigningKey.Load(keyFile, SecretReference.Read(args.Get("signing-key-passphrase-file"), args.Get("signing-key-passphrase-variable"), "signing key passphrase", reporter), reporter)
            : repository.SigningKey(reporter);
        return (new StorageOptions { Compression = compression, Encryption = encryption }, signing);
    }

    /// <summary>What wal-fetch reads with: the passphrase, secret keys, the signers' public keys; completed from the
    /// repository's registration where the command line gives nothing.</summary>
    public static BackupKeys ForFetch(CliArguments args, RepositorySettings repository, IOperationReporter reporter)
        => repository.ReadingKeys(BackupKeys.Load(Passphrase(args, reporter), args.Get("secret-key-file"),
            SecretReference.Read(args.Get("secret-key-passphrase-file"), args.Get("secret-key-passphrase-variable"), "secret key passphrase", reporter),
            args.Get("signer-key-file"), allowUnauthenticated: args.Has("allow-unauthenticated"), reporter: reporter), reporter);

    private static char[]? Passphrase(CliArguments args, IOperationReporter reporter)
    {
        var passphrase = SecretReference.Read(args.Get("passphrase-file"), args.Get("passphrase-variable"), "passphrase", reporter);
        if (passphrase is not null) SecretRedactor.Register(new string(passphrase));
        return passphrase;
    }
}
