using System.Management.Automation;
using ShippyarDr.Configuration;
using ShippyarDr.PowerShell.Infrastructure;

namespace ShippyarDr.PowerShell.Cmdlets;

/// <summary>
/// Names a repository, with how to reach it and references to the keys of its backups, in the configuration the
/// cmdlets and the shippyar-dr CLI (archive_command) share. Holds no secret: credentials and passphrases are given by
/// reference (a file, an environment variable name, an AWS profile), so -S3Credential is not a parameter here.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "ShippyarRepository", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RegisteredRepository))]
public sealed class RegisterShippyarRepositoryCommand : ShippyarCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>A directory (resolved to an absolute path) or s3://bucket/prefix.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Location { get; set; } = "";

    [Parameter] [ValidateNotNullOrEmpty] public string? S3Endpoint { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? S3Region { get; set; }
    [Parameter] public SwitchParameter S3PathStyle { get; set; }
    [Parameter] [ValidateSet("AES256", "aws:kms")] public string? ServerSideEncryption { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? KmsKeyId { get; set; }
    [Parameter] [DurationTransformation] public TimeSpan? S3Timeout { get; set; }

    /// <summary>A named AWS profile holds the S3 credentials.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? S3Profile { get; set; }
    /// <summary>The environment variable that holds the S3 access key (with -S3SecretKeyVariable).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? S3AccessKeyVariable { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? S3SecretKeyVariable { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string? PassphraseFile { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? PassphraseVariable { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string[]? Recipient { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? RecipientKeyFile { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string? SigningKeyFile { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? SigningKeyPassphraseFile { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? SigningKeyPassphraseVariable { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string[]? SignerKeyFile { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string? SecretKeyFile { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? SecretKeyPassphraseFile { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? SecretKeyPassphraseVariable { get; set; }

    /// <summary>The catalog database operations on it are audited in (host or host:port; with -AuditDatabase).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? AuditServer { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? AuditDatabase { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? AuditUser { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? AuditPasswordFile { get; set; }
    [Parameter] [ValidateNotNullOrEmpty] public string? AuditPasswordVariable { get; set; }
    /// <summary>How long Invoke-ShippyarRetention keeps its backups and WAL when it is given no -Policy.</summary>
    [Parameter] [ValidateNotNull] public Retention.RetentionPolicy? RetentionPolicy { get; set; }

    /// <summary>Make it the default repository of its configuration file.</summary>
    [Parameter] public SwitchParameter Default { get; set; }

    [Parameter]
    [ValidateSet(nameof(ConfigurationScope.User), nameof(ConfigurationScope.Machine))]
    public ConfigurationScope Scope { get; set; } = ConfigurationScope.User;

    /// <summary>Replace a registration of the same name in that scope.</summary>
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        Run(Name, reporter =>
        {
            RetentionPolicy?.Check();
            var registration = Build();
            var registry = RepositoryRegistry.Load();
            var file = registry.Paths.PathOf(Scope) ?? $"the {Scope} configuration";
            var exists = registry.List(registry.Paths.Override is null ? Scope : ConfigurationScope.Environment)
                .Any(r => r.Name.Equals(Name, StringComparison.OrdinalIgnoreCase));
            var action = exists && Force ? "Replace the registration" : "Register";
            if (!ShouldProcessOrExplain($"repository {Name} ({registration.Location}) in {file}", action)) return;
            WriteObject(registry.Register(registration, Scope, replace: Force, makeDefault: Default, reporter));
        });
    }

    /// <summary>The registration as given, every path made absolute against the current location.</summary>
    private RepositoryRegistration Build()
    {
        if (SigningKeyFile is null && (SigningKeyPassphraseFile ?? SigningKeyPassphraseVariable) is not null)
            ThrowTerminatingError(ErrorRecords.Argument(Diagnostics.ErrorIds.InvalidSecretReference, "-SigningKeyPassphraseFile and -SigningKeyPassphraseVariable need -SigningKeyFile.", Name));
        if (SecretKeyFile is null && (SecretKeyPassphraseFile ?? SecretKeyPassphraseVariable) is not null)
            ThrowTerminatingError(ErrorRecords.Argument(Diagnostics.ErrorIds.InvalidSecretReference, "-SecretKeyPassphraseFile and -SecretKeyPassphraseVariable need -SecretKeyFile.", Name));
        if ((AuditServer is null) != (AuditDatabase is null) || (AuditServer is null && (AuditUser ?? AuditPasswordFile ?? AuditPasswordVariable) is not null))
            ThrowTerminatingError(ErrorRecords.Argument(Diagnostics.ErrorIds.InvalidArgumentValue,
                "An audit catalog needs both -AuditServer and -AuditDatabase; -AuditUser, -AuditPasswordFile and -AuditPasswordVariable go with them.", Name));
        var isUrl = Location.Contains("://", StringComparison.Ordinal);
        var s3 = new S3Settings
        {
            Endpoint = S3Endpoint, Region = S3Region, PathStyle = S3PathStyle.IsPresent ? true : null,
            ServerSideEncryption = ServerSideEncryption, KmsKeyId = KmsKeyId, Timeout = S3Timeout,
            Credentials = S3Profile is null && S3AccessKeyVariable is null && S3SecretKeyVariable is null ? null
                : new S3CredentialReference { Profile = S3Profile, AccessKeyVariable = S3AccessKeyVariable, SecretKeyVariable = S3SecretKeyVariable },
        };
        var encryption = new EncryptionReference
        {
            PassphraseFile = ResolveOptionalPath(PassphraseFile), PassphraseVariable = PassphraseVariable,
            Recipients = Recipient, RecipientKeyFile = ResolveOptionalPath(RecipientKeyFile),
        };
        return new RepositoryRegistration
        {
            Name = Name,
            Location = isUrl ? Location : ResolvePath(Location),
            S3 = s3 == new S3Settings() ? null : s3,
            Encryption = encryption == new EncryptionReference() ? null : encryption,
            Signing = SigningKeyFile is null ? null : new SigningReference
            {
                KeyFile = ResolvePath(SigningKeyFile), PassphraseFile = ResolveOptionalPath(SigningKeyPassphraseFile), PassphraseVariable = SigningKeyPassphraseVariable,
            },
            SignerKeyFiles = SignerKeyFile?.Select(ResolvePath).ToList(),
            Retention = RetentionPolicy,
            Decryption = SecretKeyFile is null ? null : new DecryptionReference
            {
                SecretKeyFile = ResolvePath(SecretKeyFile), PassphraseFile = ResolveOptionalPath(SecretKeyPassphraseFile), PassphraseVariable = SecretKeyPassphraseVariable,
            },
            Audit = AuditServer is null ? null : new AuditCatalogReference
            {
                Server = AuditServer, Database = AuditDatabase!, User = AuditUser,
                PasswordFile = ResolveOptionalPath(AuditPasswordFile), PasswordVariable = AuditPasswordVariable,
            },
        };
    }
}
