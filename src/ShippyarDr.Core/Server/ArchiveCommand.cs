using ShippyarDr.Cluster;
using ShippyarDr.Configuration;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Server;

/// <summary>
/// The archive_command that pushes into a registered repository through shippyar-dr, and what the server's OS account
/// needs to run it. archive_command runs with no session and no parameters, in the data directory: its repository is
/// a registered name, and when the registration is not in the machine file, the command names its file through
/// SHIPPYAR_CONFIG (the server's environment is not the user's).
/// </summary>
public static class ArchiveCommand
{
    /// <summary>The registration <paramref name="name"/> names; ArchivingNeedsRegisteredName for a path or URL.</summary>
    public static RegisteredRepository Registered(RepositoryRegistry registry, string name)
    {
        if (RepositoryRegistry.LooksLikePath(name))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ArchivingNeedsRegisteredName,
                $"'{name}' is a path or URL, and WAL archiving names its repository by a registered name: archive_command runs with no session, "
                + "in the data directory, and reads the repository's settings and keys from the configuration. Register the repository, then name it.", name);
        return registry.Get(name);
    }

    /// <summary><c>"cli" wal-push "%p" --repository NAME</c>, after <c>SHIPPYAR_CONFIG="file"</c> when the registration is not machine-wide.</summary>
    public static string For(string cliPath, RegisteredRepository repository)
    {
        var configuration = repository.Scope == ConfigurationScope.Machine ? "" : $"{ConfigurationPaths.Variable}={Quote(repository.ConfigurationFile)} ";
        return $"{configuration}{Quote(cliPath)} wal-push \"%p\" --repository {repository.Name}";
    }

    /// <summary>What the server's account reads or runs for the command: the executable (and its assembly beside it),
    /// the configuration file, and every file the registration refers to for pushing (passphrase, keys).</summary>
    public static IReadOnlyList<AccountAccess.Need> Needs(string cliPath, RegisteredRepository repository)
    {
        var needs = new List<AccountAccess.Need> { new(cliPath, "the WAL archiver executable", Execute: true) };
        var assembly = Path.ChangeExtension(cliPath, ".dll");
        if (File.Exists(assembly)) needs.Add(new(assembly, "the WAL archiver's assembly"));
        needs.Add(new(repository.ConfigurationFile, "the configuration file"));
        var r = repository.Registration;
        void Add(string? path, string what)
        {
            if (path is not null) needs.Add(new(path, what));
        }
        Add(r.Encryption?.PassphraseFile, "the passphrase file");
        Add(r.Encryption?.RecipientKeyFile, "the recipients' key file");
        Add(r.Signing?.KeyFile, "the signing key file");
        Add(r.Signing?.PassphraseFile, "the signing key's passphrase file");
        return needs;
    }

    /// <summary>One word for the shell PostgreSQL runs the command with, as restore_command's are quoted.</summary>
    public static string Quote(string path) => Recovery.RestoreCommandLine.Quote(path);
}
