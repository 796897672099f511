using System.Text;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Recovery;

/// <summary>
/// The restore_command a recovered cluster fetches its WAL with: the shippyar-dr CLI's wal-fetch, the repository (a
/// path, an s3:// URL or a registered name) and its keys by reference only (files and environment variable names).
/// restore_command is stored in postgresql.auto.conf and visible in ps and pg_settings: no secret ever goes into it.
/// </summary>
public sealed record RestoreCommandLine
{
    /// <summary>The absolute path of the shippyar-dr executable.</summary>
    public required string CliPath { get; init; }
    /// <summary>An absolute directory path, an s3:// URL, or a registered repository name.</summary>
    public required string Repository { get; init; }
    public string? S3Endpoint { get; init; }
    public string? S3Region { get; init; }
    public bool S3PathStyle { get; init; }
    public string? PassphraseFile { get; init; }
    public string? PassphraseVariable { get; init; }
    public string? SecretKeyFile { get; init; }
    public string? SecretKeyPassphraseFile { get; init; }
    public string? SecretKeyPassphraseVariable { get; init; }
    public string? SignerKeyFile { get; init; }
    public bool AllowUnauthenticated { get; init; }
    /// <summary>With a spool (an absolute directory the server account owns), wal-fetch --async prefetches the
    /// segments after each one asked for while the server replays it.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>The same command, prefetching through <paramref name="spool"/>.</summary>
    public RestoreCommandLine Prefetching(string spool) => this with { SpoolDirectory = spool };

    /// <summary>Whether it names a key that decrypts or authenticates (or a registered repository, whose registration may).</summary>
    public bool NamesKeys => PassphraseFile is not null || PassphraseVariable is not null || SecretKeyFile is not null || SignerKeyFile is not null
        || AllowUnauthenticated || !LooksLikeLocation(Repository);

    /// <summary>The command as restore_command holds it (before the configuration file's own quoting).</summary>
    public string Build()
    {
        if (!Path.IsPathFullyQualified(CliPath))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PathNotAbsolute, $"The shippyar-dr executable must be given by its absolute path, not '{CliPath}'.", CliPath);
        foreach (var file in new[] { PassphraseFile, SecretKeyFile, SecretKeyPassphraseFile, SignerKeyFile, SpoolDirectory })
            if (file is not null && !Path.IsPathFullyQualified(file))
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PathNotAbsolute,
                    $"restore_command runs in the data directory: '{file}' must be an absolute path.", file);
        var sb = new StringBuilder();
        sb.Append(Quote(CliPath)).Append(" wal-fetch \"%f\" \"%p\" --repository ").Append(Quote(Repository));
        Option(sb, "s3-endpoint", S3Endpoint);
        Option(sb, "s3-region", S3Region);
        if (S3PathStyle) sb.Append(" --s3-path-style");
        Option(sb, "passphrase-file", PassphraseFile);
        Option(sb, "passphrase-variable", PassphraseVariable);
        Option(sb, "secret-key-file", SecretKeyFile);
        Option(sb, "secret-key-passphrase-file", SecretKeyPassphraseFile);
        Option(sb, "secret-key-passphrase-variable", SecretKeyPassphraseVariable);
        Option(sb, "signer-key-file", SignerKeyFile);
        if (AllowUnauthenticated) sb.Append(" --allow-unauthenticated");
        if (SpoolDirectory is not null) sb.Append(" --async --spool-directory ").Append(Quote(SpoolDirectory));
        return sb.ToString();
    }

    public override string ToString() => Build();

    private static bool LooksLikeLocation(string repository) => ShippyarDr.Repository.S3.S3Location.IsS3(repository) || Path.IsPathFullyQualified(repository);

    private static void Option(StringBuilder sb, string name, string? value)
    {
        if (value is not null) sb.Append(" --").Append(name).Append(' ').Append(Quote(value));
    }

    /// <summary>
    /// One shell word (PostgreSQL hands restore_command to /bin/sh): double quotes, with what the shell expands inside
    /// them escaped; '%' doubled, since PostgreSQL replaces %f, %p, %r and %% before the shell sees the command.
    /// </summary>
    internal static string Quote(string value)
    {
        if (value.Contains('\n') || value.Contains('\r') || value.Contains('\0'))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RecoveryConfigurationRefused, "A restore_command argument cannot hold a line break.", value);
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\' or '$' or '`') sb.Append('\\');
            sb.Append(c == '%' ? "%%" : c.ToString());
        }
        return sb.Append('"').ToString();
    }
}
