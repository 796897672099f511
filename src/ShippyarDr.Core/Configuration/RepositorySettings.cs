using System.Text.Json;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Configuration;

/// <summary>
/// A repository as a host was given it (<see cref="RepositoryRegistry.Resolve"/>): its location and, when it is
/// registered, the registration's settings. Each registered setting applies where the host gives none of its own;
/// secrets are read from their files and variables only when they are used.
/// </summary>
public sealed class RepositorySettings
{
    internal RepositorySettings(string location, RegisteredRepository? registered)
    {
        Location = location;
        Registered = registered;
    }

    /// <summary>The absolute directory path or s3:// URL (what BackupInfo.Repository of its backups says).</summary>
    public string Location { get; }
    /// <summary>The registration; null for a location that is not registered.</summary>
    public RegisteredRepository? Registered { get; }
    public string? Name => Registered?.Name;
    private RepositoryRegistration? R => Registered?.Registration;
    private string Of => Name is null ? Location : $"repository {Name}";

    /// <summary>How to reach an s3:// location: <paramref name="overrides"/> over the registered S3 settings; explicit
    /// <paramref name="credential"/> over the registered credential reference, which over the AWS default chain. Null for a directory.</summary>
    public S3RepositoryOptions? S3Options(S3Settings? overrides = null, (string AccessKey, string SecretKey)? credential = null, string? storageClass = null)
    {
        if (!S3Location.IsS3(Location)) return null;
        var s3 = (R?.S3 ?? new S3Settings()).Over(overrides);
        string? accessKey = null, secretKey = null, profile = null;
        if (credential is { } c) (accessKey, secretKey) = c;
        else if (s3.Credentials is { Profile: { } p }) profile = p;
        else if (s3.Credentials is { } v)
        {
            accessKey = new string(SecretReference.Read(null, v.AccessKeyVariable, $"S3 access key of {Of}", NullReporter.Instance)!);
            secretKey = new string(SecretReference.Read(null, v.SecretKeyVariable, $"S3 secret key of {Of}", NullReporter.Instance)!);
        }
        return S3RepositoryOptions.From(s3.Endpoint, s3.Region, accessKey, secretKey, s3.PathStyle ?? false, s3.ServerSideEncryption, s3.KmsKeyId,
            s3.Timeout, storageClass, profile);
    }

    /// <summary>Opens the repository (see <see cref="S3Options"/> for what applies to S3).</summary>
    public IBackupRepository Open(S3Settings? overrides = null, (string AccessKey, string SecretKey)? credential = null, string? storageClass = null)
        => RepositoryFactory.Open(Location, S3Options(overrides, credential, storageClass));

    /// <summary>The registered encryption (OpenPgpEncryption.Choose of its references); null when none is registered.</summary>
    public OpenPgpEncryption? Encryption(IOperationReporter reporter)
    {
        if (R?.Encryption is not { } e) return null;
        return OpenPgpEncryption.Choose(SecretReference.Read(e.PassphraseFile, e.PassphraseVariable, $"passphrase of {Of}", reporter),
            e.Recipients?.ToList(), e.RecipientKeyFile);
    }

    /// <summary>The registered signing key; null when none is registered.</summary>
    public SigningKey? SigningKey(IOperationReporter reporter)
        => R?.Signing is { } s ? Authentication.SigningKey.Load(s.KeyFile, SigningPassphrase(s, reporter), reporter) : null;

    /// <summary>
    /// The keys to read this repository's backups with: <paramref name="given"/> (what the host was given), completed
    /// from the registration where it gives nothing: the passphrase or secret key (when neither was given) and the
    /// signers' keys. A reader that <paramref name="writes"/> (a restore, whose safety backup goes into the repository)
    /// also gets the registered signing key, and the repository's encryption for the safety backup of a plain backup,
    /// read only if that happens.
    /// </summary>
    public BackupKeys ReadingKeys(BackupKeys? given, IOperationReporter reporter, bool writes = false)
    {
        given ??= BackupKeys.None;
        if (R is not { } r) return given;
        var decrypt = given.Passphrase is null && !given.HasSecretKeys;
        var registered = BackupKeys.Load(
            passphrase: decrypt && r.Encryption is { } e ? SecretReference.Read(e.PassphraseFile, e.PassphraseVariable, $"passphrase of {Of}", reporter) : null,
            secretKeyFile: decrypt ? r.Decryption?.SecretKeyFile : null,
            secretKeyPassphrase: decrypt && r.Decryption is { } d ? SecretReference.Read(d.PassphraseFile, d.PassphraseVariable, $"secret key passphrase of {Of}", reporter) : null,
            signingKeyFile: writes && given.Signing is null ? r.Signing?.KeyFile : null,
            signingKeyPassphrase: writes && given.Signing is null && r.Signing is { } s ? SigningPassphrase(s, reporter) : null,
            reporter: reporter,
            signerKeyFiles: given.Signers is null ? r.SignerKeyFiles : null,
            repositoryEncryption: writes && r.Encryption is not null ? () => Encryption(reporter) : null);
        return given.Or(registered);
    }

    /// <summary>
    /// The encryption registered for the repositories one backup is written to; null when none of them registers one.
    /// One pass encrypts for all of them, so two that register different encryption are RegisteredSettingsConflict.
    /// </summary>
    public static OpenPgpEncryption? RegisteredEncryption(IEnumerable<RepositorySettings> targets, IOperationReporter reporter)
        => Agreed(targets, r => r.Encryption, "encryption")?.Encryption(reporter);

    /// <summary>The signing key registered for the repositories one backup is written to (see <see cref="RegisteredEncryption"/>).</summary>
    public static SigningKey? RegisteredSigningKey(IEnumerable<RepositorySettings> targets, IOperationReporter reporter)
        => Agreed(targets, r => r.Signing, "signing key")?.SigningKey(reporter);

    private static RepositorySettings? Agreed<T>(IEnumerable<RepositorySettings> targets, Func<RepositoryRegistration, T?> part, string what) where T : class
    {
        var registered = targets.Where(t => t.R is { } r && part(r) is not null)
            .GroupBy(t => JsonSerializer.Serialize(part(t.R!), typeof(T), ConfigurationJson.Default)).ToList();
        if (registered.Count > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RegisteredSettingsConflict,
                $"Repositories {string.Join(" and ", registered.Select(g => g.First().Name))} are registered with different {what}s, and one backup is written to all of them "
                + $"with one: back up into them separately, or give the {what} for this backup.");
        return registered.Count == 0 ? null : registered[0].First();
    }

    private char[]? SigningPassphrase(SigningReference s, IOperationReporter reporter)
        => SecretReference.Read(s.PassphraseFile, s.PassphraseVariable, $"signing key passphrase of {Of}", reporter);

    public override string ToString() => Name ?? Location;
}
