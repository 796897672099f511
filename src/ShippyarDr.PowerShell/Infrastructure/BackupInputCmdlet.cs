using System.Management.Automation;
using System.Security;
using ShippyarDr.Authentication;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that reads one backup: piped in as a BackupInfo (Get-ShippyarBackup | …), or named by -Repository and
/// -Id (which also bind by property name, e.g. from Import-Csv). Encrypted backups need -Passphrase (or its file
/// or variable) or -SecretKeyFile.
/// </summary>
public abstract class BackupInputCmdlet : PassphraseCmdlet
{
    protected const string ObjectSet = "InputObject";
    protected const string IdSet = "Id";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [ValidateNotNull]
    public BackupInfo? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RepositoryNameCompleter))]
    public virtual string? Repository { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    [Alias("BackupId")]
    [ValidateNotNullOrEmpty]
    public virtual string? Id { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretKeyFile { get; set; }

    [Parameter]
    public SecureString? SecretKeyPassphrase { get; set; }

    /// <summary>Public keys of the signers whose signatures are trusted (gpg --export --armor of the backup hosts' signing keys).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SignerKeyFile { get; set; }

    /// <summary>Accept backups whose authenticity cannot be established (unsigned, or signed by a key not given).</summary>
    [Parameter]
    public SwitchParameter AllowUnauthenticated { get; set; }

    /// <summary>The backup this record names, the repository that holds it (read fresh from its manifest) and that
    /// repository's settings. A piped BackupInfo names its repository by location, which finds its registration too.</summary>
    private protected (BackupInfo Backup, IBackupRepository Repository, RepositorySettings Settings) ResolveBackup(IOperationReporter reporter,
        Audit.AuditScope? audit = null)
    {
        var settings = ResolveRepository(InputObject?.Repository is { Length: > 0 } r ? r : Repository!, reporter);
        var repository = OpenRepository(settings);
        if (audit is not null)
        {
            // A backup that cannot be found is a failed operation on this repository too.
            audit.Into(settings, repository).BackupId = InputObject?.Id ?? Id;
        }
        BackupInfo backup;
        try
        {
            backup = new BackupCatalog(repository).Get(InputObject?.Id ?? Id!, InputObject?.Database);
        }
        catch (ShippyarException) when (audit is not null && ConnectionParameters.AnyGiven(this))
        {
            // The server the operation was meant for, since no backup names it.
            try { audit.Server = ResolveConnection().DisplayName; }
            catch (ShippyarException) { }
            throw;
        }
        audit?.About(backup);
        return (backup, repository, settings);
    }

    /// <summary>The keys from whichever sources were given: to decrypt, to check authenticity, and (restores) to sign the
    /// safety backup; each one not given comes from the repository's registration, if it has one.</summary>
    private protected BackupKeys ResolveKeys(IOperationReporter reporter, RepositorySettings settings, bool writes = false,
        string? signingKeyFile = null, SecureString? signingKeyPassphrase = null)
        => settings.ReadingKeys(BackupKeys.Load(
            ReadPassphrase(reporter), ResolveOptionalPath(SecretKeyFile),
            SecretSources.Read(SecretKeyPassphrase, null, null, "secret key passphrase", reporter, allowEmpty: true), ResolveOptionalPath(SignerKeyFile),
            ResolveOptionalPath(signingKeyFile), SecretSources.Read(signingKeyPassphrase, null, null, "signing key passphrase", reporter, allowEmpty: true),
            AllowUnauthenticated, reporter), reporter, writes);

    private protected string BackupName => InputObject?.Id ?? Id ?? "";

    /// <summary>
    /// The restore_command a recovered (or scratch) cluster fetches WAL with: the module's shippyar-dr, the repository's
    /// location and its S3 endpoint, and the keys by reference (this command's files and variable names, else the
    /// registration's). A secret given directly cannot be written into postgresql.auto.conf: RestoreCommandSecret.
    /// </summary>
    private protected Recovery.RestoreCommandLine ResolveRestoreCommand(RepositorySettings settings)
    {
        var direct = new[] { (Passphrase is not null, nameof(Passphrase)), (SecretKeyPassphrase is not null, nameof(SecretKeyPassphrase)), (S3Credential is not null, nameof(S3Credential)) }
            .Where(d => d.Item1).Select(d => d.Item2).ToList();
        if (direct.Count > 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RestoreCommandSecret,
                $"-{string.Join(" and -", direct)} {(direct.Count == 1 ? "is a secret" : "are secrets")} given directly, and the recovered server fetches WAL with a restore_command that is stored in postgresql.auto.conf and shown by ps: it can name a file or an environment variable, never hold a secret.");
        var r = settings.Registered?.Registration;
        var passphraseGiven = PassphraseFile is not null || PassphraseVariable is not null;
        var secretKeyGiven = SecretKeyFile is not null;
        var decryptFromRegistration = !passphraseGiven && !secretKeyGiven;
        var s3 = r?.S3;
        return new Recovery.RestoreCommandLine
        {
            CliPath = BundledCli.Path,
            Repository = settings.Location,
            S3Endpoint = S3Location.IsS3(settings.Location) ? S3Endpoint ?? s3?.Endpoint : null,
            S3Region = S3Location.IsS3(settings.Location) ? S3Region ?? s3?.Region : null,
            S3PathStyle = S3Location.IsS3(settings.Location) && (S3PathStyle.IsPresent || S3Endpoint is not null || s3?.PathStyle == true || s3?.Endpoint is not null),
            PassphraseFile = ResolveOptionalPath(PassphraseFile) ?? (decryptFromRegistration ? r?.Encryption?.PassphraseFile : null),
            PassphraseVariable = PassphraseVariable ?? (decryptFromRegistration && r?.Encryption?.PassphraseFile is null ? r?.Encryption?.PassphraseVariable : null),
            SecretKeyFile = ResolveOptionalPath(SecretKeyFile) ?? (decryptFromRegistration ? r?.Decryption?.SecretKeyFile : null),
            SecretKeyPassphraseFile = decryptFromRegistration ? r?.Decryption?.PassphraseFile : null,
            SecretKeyPassphraseVariable = decryptFromRegistration ? r?.Decryption?.PassphraseVariable : null,
            SignerKeyFile = ResolveOptionalPath(SignerKeyFile) ?? r?.SignerKeyFiles?.FirstOrDefault(),
            AllowUnauthenticated = AllowUnauthenticated,
        };
    }
}
