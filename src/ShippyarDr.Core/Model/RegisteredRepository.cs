using ShippyarDr.Configuration;

namespace ShippyarDr;

/// <summary>A named repository as the configuration holds it: which file, whether it is the default, and its registration.</summary>
public sealed class RegisteredRepository
{
    internal RegisteredRepository(RepositoryRegistration registration, ConfigurationScope scope, string configurationFile, bool isDefault)
    {
        Registration = registration;
        Scope = scope;
        ConfigurationFile = configurationFile;
        IsDefault = isDefault;
    }

    public string Name => Registration.Name;
    /// <summary>An absolute directory path, or s3://bucket/prefix.</summary>
    public string Location => Registration.Location;
    public ConfigurationScope Scope { get; }
    public string ConfigurationFile { get; }
    /// <summary>The repository a host uses when none is named (the CLI's --repository).</summary>
    public bool IsDefault { get; }
    public RepositoryRegistration Registration { get; }

    /// <summary>What backups written into it are encrypted with by default: a passphrase file or variable, recipients, or none.</summary>
    public string Encryption => Registration.Encryption?.ToString() ?? "none";
    public string? SigningKeyFile => Registration.Signing?.KeyFile;
    public IReadOnlyList<string> SignerKeyFiles => Registration.SignerKeyFiles ?? Array.Empty<string>();
    public string? SecretKeyFile => Registration.Decryption?.SecretKeyFile;
    public string? S3Endpoint => Registration.S3?.Endpoint;
    /// <summary>Where operations on it are audited: its catalog database ("db on host:port as user"), or its own audit log.</summary>
    public string Audit => Registration.Audit?.ToString() ?? "repository log";
    /// <summary>The registered retention policy ("Daily: 30 days; WAL: 7 days"), or null: the defaults apply.</summary>
    public string? Retention => Registration.Retention?.ToString();
    /// <summary>Where S3 credentials come from: a profile, environment variables, or the AWS default chain.</summary>
    public string? S3Credentials => Repository.S3.S3Location.IsS3(Location) ? Registration.S3?.Credentials?.ToString() ?? "AWS default chain" : null;

    public override string ToString() => Name;
}
