using System.Text.RegularExpressions;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Configuration;

/// <summary>
/// What makes a registration usable: a valid name, an absolute path or an s3:// URL, references that are references
/// (absolute file paths, environment variable names, a profile name), one way to give each secret. Messages name the
/// entry's JSON fields and never echo a value that may be a secret typed in the wrong place.
/// </summary>
public static partial class RegistrationRules
{
    /// <summary>Letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariablePattern();

    // AWS access key ids (long-term AKIA…, temporary ASIA…) are valid variable names: refused by their shape.
    [GeneratedRegex("^(AKIA|ASIA)[A-Z0-9]{16}$")]
    private static partial Regex AwsKeyIdPattern();

    /// <summary>The location as it is stored and compared: a full directory path without a trailing separator, or the
    /// canonical s3://bucket/prefix.</summary>
    public static string NormalizeLocation(string location)
    {
        if (string.IsNullOrWhiteSpace(location))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRepository, "The repository location must not be empty.");
        if (S3Location.IsS3(location)) return S3Location.Parse(location).ToString();
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 1)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.UnsupportedRepository,
                $"Location '{location}': the scheme '{location[..scheme]}' is not supported; give a directory path or s3://bucket/prefix.", location);
        if (!Path.IsPathFullyQualified(location))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PathNotAbsolute,
                $"The location '{location}' must be an absolute path: archive_command and schedulers run in other directories.", location);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(location));
    }

    /// <summary>The registration checked, with its location normalized; throws on the first problem.</summary>
    public static RepositoryRegistration Check(RepositoryRegistration r)
    {
        if (!IsValidName(r.Name))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RepositoryNameInvalid,
                $"'{r.Name}' is not a valid repository name: use letters, digits, '.', '_' and '-' (at most 63), starting with a letter or digit.", r.Name);
        var what = $"Repository '{r.Name}'";
        var location = NormalizeLocation(r.Location);
        if (r.S3 is { } s3) CheckS3(what, s3, S3Location.IsS3(location));
        if (r.Encryption is { } e) CheckEncryption(what, e);
        if (r.Signing is { } s)
        {
            CheckFile(what, "signing.keyFile", s.KeyFile);
            CheckPassphrase(what, "signing", s.PassphraseFile, s.PassphraseVariable);
        }
        if (r.Decryption is { } d)
        {
            CheckFile(what, "decryption.secretKeyFile", d.SecretKeyFile);
            CheckPassphrase(what, "decryption", d.PassphraseFile, d.PassphraseVariable);
        }
        foreach (var file in r.SignerKeyFiles ?? Array.Empty<string>()) CheckFile(what, "signerKeyFiles", file);
        if (r.Audit is { } a) CheckAudit(what, a);
        r.Retention?.Check();
        return r with { Location = location, SignerKeyFiles = r.SignerKeyFiles is { Count: 0 } ? null : r.SignerKeyFiles };
    }

    /// <summary>
    /// The files a registration names exist and hold what they should (public keys with the recipients, secret keys,
    /// readable passphrase files), so a typo fails when registering rather than at 3 a.m. Environment variables are not
    /// looked at: they are set where the backup runs, not necessarily here.
    /// </summary>
    public static void CheckReferencedFiles(RepositoryRegistration r, IOperationReporter reporter)
    {
        if (r.Encryption is { RecipientKeyFile: { } keyFile, Recipients: { } recipients })
            OpenPgpEncryption.ToRecipients(keyFile, recipients);
        if (r.Encryption?.PassphraseFile is { } passphraseFile) CheckReadable(passphraseFile, "passphrase file", "PassphraseFile", reporter);
        if (r.Signing is { } s)
        {
            OpenPgpKeys.LoadSecretKeys(s.KeyFile, reporter);
            if (s.PassphraseFile is { } f) CheckReadable(f, "signing key passphrase file", "PassphraseFile", reporter);
        }
        if (r.Decryption is { } d)
        {
            OpenPgpKeys.LoadSecretKeys(d.SecretKeyFile, reporter);
            if (d.PassphraseFile is { } f) CheckReadable(f, "secret key passphrase file", "PassphraseFile", reporter);
        }
        if (r.SignerKeyFiles is { Count: > 0 } signers) SignerKeys.Load(signers);
        if (!S3Location.IsS3(r.Location) && !Directory.Exists(r.Location))
            reporter.Warning($"The directory {r.Location} of repository '{r.Name}' does not exist (yet): backups into it fail until it does.");
    }

    private static void CheckReadable(string path, string what, string errorPrefix, IOperationReporter reporter)
    {
        using (KeyMaterialFile.OpenRead(path, what, errorPrefix)) { }
        KeyMaterialFile.WarnIfOpenToOthers(path, what, reporter);
    }

    private static void CheckS3(string what, S3Settings s3, bool isS3)
    {
        if (!isS3) throw Invalid(ErrorIds.InvalidS3Options, $"{what}: s3 settings apply to s3:// locations only.");
        if (s3.ServerSideEncryption is { } sse && sse is not ("AES256" or "aws:kms"))
            throw Invalid(ErrorIds.InvalidS3Options, $"{what}: s3.serverSideEncryption must be AES256 or aws:kms (it is '{sse}').");
        if (s3.KmsKeyId is not null && s3.ServerSideEncryption != "aws:kms")
            throw Invalid(ErrorIds.InvalidS3Options, $"{what}: s3.kmsKeyId needs s3.serverSideEncryption aws:kms.");
        // The endpoint and the timeout are checked as every S3 repository's options are.
        S3RepositoryOptions.From(s3.Endpoint, s3.Region, null, null, s3.PathStyle ?? false, s3.ServerSideEncryption, s3.KmsKeyId, s3.Timeout, null).Validate();
        if (s3.Credentials is not { } c) return;
        if (c.Profile is not null)
        {
            if (c.AccessKeyVariable is not null || c.SecretKeyVariable is not null)
                throw Invalid(ErrorIds.InvalidS3Options, $"{what}: give s3.credentials as a profile or as variables, not both.");
            if (string.IsNullOrWhiteSpace(c.Profile)) throw Invalid(ErrorIds.InvalidSecretReference, $"{what}: s3.credentials.profile is empty.");
            return;
        }
        if (c.AccessKeyVariable is null || c.SecretKeyVariable is null)
            throw Invalid(ErrorIds.InvalidS3Options, $"{what}: s3.credentials needs a profile, or both accessKeyVariable and secretKeyVariable.");
        CheckVariable(what, "s3.credentials.accessKeyVariable", c.AccessKeyVariable);
        CheckVariable(what, "s3.credentials.secretKeyVariable", c.SecretKeyVariable);
    }

    private static void CheckEncryption(string what, EncryptionReference e)
    {
        CheckPassphrase(what, "encryption", e.PassphraseFile, e.PassphraseVariable);
        var hasPassphrase = e.PassphraseFile is not null || e.PassphraseVariable is not null;
        if (e.Recipients is { Count: > 0 } recipients)
        {
            if (hasPassphrase)
                throw Invalid(ErrorIds.EncryptionAmbiguous, $"{what}: encrypt with a passphrase or to recipients, not both.");
            if (recipients.Any(string.IsNullOrWhiteSpace)) throw Invalid(ErrorIds.InvalidKey, $"{what}: encryption.recipients holds an empty entry.");
            if (e.RecipientKeyFile is null)
                throw Invalid(ErrorIds.RecipientKeyFileRequired, $"{what}: encryption.recipients need encryption.recipientKeyFile, the file holding their public keys.");
            CheckFile(what, "encryption.recipientKeyFile", e.RecipientKeyFile);
        }
        else if (e.RecipientKeyFile is not null)
        {
            throw Invalid(ErrorIds.InvalidKey, $"{what}: encryption.recipientKeyFile is given without encryption.recipients.");
        }
        else if (!hasPassphrase)
        {
            throw Invalid(ErrorIds.InvalidKey, $"{what}: encryption names neither a passphrase nor recipients.");
        }
    }

    private static void CheckAudit(string what, AuditCatalogReference a)
    {
        if (string.IsNullOrWhiteSpace(a.Server)) throw Invalid(ErrorIds.InvalidServer, $"{what}: audit.server is empty.");
        var (host, port) = Connection.PgConnectionInfo.SplitServer(a.Server);
        if (string.IsNullOrWhiteSpace(host) || port is < 1 or > 65535)
            throw Invalid(ErrorIds.InvalidServer, $"{what}: audit.server must be \"host\" or \"host:port\".");
        if (string.IsNullOrWhiteSpace(a.Database)) throw Invalid(ErrorIds.InvalidDatabaseName, $"{what}: audit.database is empty.");
        if (a.User is { } user && string.IsNullOrWhiteSpace(user)) throw Invalid(ErrorIds.InvalidArgumentValue, $"{what}: audit.user is empty.");
        if (a.PasswordFile is not null && a.PasswordVariable is not null)
            throw Invalid(ErrorIds.PassphraseAmbiguous, $"{what}: give audit.passwordFile or audit.passwordVariable, not both.");
        if (a.PasswordFile is not null) CheckFile(what, "audit.passwordFile", a.PasswordFile);
        if (a.PasswordVariable is not null) CheckVariable(what, "audit.passwordVariable", a.PasswordVariable);
    }

    private static void CheckPassphrase(string what, string section, string? file, string? variable)
    {
        if (file is not null && variable is not null)
            throw Invalid(ErrorIds.PassphraseAmbiguous, $"{what}: give {section}.passphraseFile or {section}.passphraseVariable, not both.");
        if (file is not null) CheckFile(what, $"{section}.passphraseFile", file);
        if (variable is not null) CheckVariable(what, $"{section}.passphraseVariable", variable);
    }

    // The value is not echoed: a secret typed where its file belongs must not reach a log.
    private static void CheckFile(string what, string field, string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw Invalid(ErrorIds.InvalidSecretReference, $"{what}: {field} is empty.");
        if (!Path.IsPathFullyQualified(path))
            throw Invalid(ErrorIds.PathNotAbsolute, $"{what}: {field} must be the absolute path of a file (a reference to the key or passphrase, never the secret itself).");
    }

    private static void CheckVariable(string what, string field, string name)
    {
        if (AwsKeyIdPattern().IsMatch(name))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.SecretNotAllowed,
                $"{what}: {field} looks like an AWS access key id, not the name of an environment variable. Configuration files hold references to secrets, never the secrets.");
        if (!VariablePattern().IsMatch(name))
            throw Invalid(ErrorIds.InvalidSecretReference,
                $"{what}: {field} is not an environment variable name (letters, digits and '_'): give the name of the variable that holds the secret, never the secret itself.");
    }

    private static ShippyarException Invalid(string id, string message) => new(ShippyarErrorKind.InvalidArgument, id, message);
}
