using ShippyarDr.Cluster;
using ShippyarDr.Configuration;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Sandbox;
using ShippyarDr.Wal;
using Xunit.Abstractions;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// A cluster whose archive_command names a registered repository, as Enable-ShippyarWalArchiving writes it: the
/// configuration file (SHIPPYAR_CONFIG, machine-scoped: 0640, group postgres) holds the repository, its encryption
/// passphrase file, its signing key and its signers' key, all by reference; the command line holds only the name.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NamedArchivingCluster : IDisposable
{
    public const string Name = "walnamed";
    public const string Passphrase = "cli-Heron-passphrase-31";
    private readonly TempDirectory _config = new("shippyar-cli-config-");
    private readonly TempDirectory _keys = ShippyarCli.ServerOwnedDirectory("shippyar-cli-keys-");
    private readonly TempDirectory _repository = ShippyarCli.ServerOwnedDirectory("shippyar-cli-named-");
    private readonly GpgHome _gpg = new();

    public NamedArchivingCluster()
    {
        // Root's temp directories are 0700: the server's account must reach the configuration file through it.
        File.SetUnixFileMode(_config.Path, (UnixFileMode)0b111_101_101);
        ConfigFile = Path.Combine(_config.Path, "repositories.json");
        var passphraseFile = Copy(null, "wal.pass", Passphrase + "\n");
        var signingKey = Copy(_gpg.EcSecretKeyFile, "signing.asc");
        var keyPassphrase = Copy(_gpg.PassphraseFile, "signing.pass");
        var signerKey = Copy(_gpg.EcPublicKeyFile, "signer.asc");
        ServerAccount.Default.GiveOwnership(_keys.Path);
        RepositoryRegistry.Load(new ConfigurationPaths(null, null, ConfigFile)).Register(new RepositoryRegistration
        {
            Name = Name, Location = Repository,
            Encryption = new EncryptionReference { PassphraseFile = passphraseFile },
            Signing = new SigningReference { KeyFile = signingKey, PassphraseFile = keyPassphrase },
            SignerKeyFiles = [signerKey],
        }, ConfigurationScope.Machine, makeDefault: true);
        Sandbox = PostgresSandbox.Start(settings: new Dictionary<string, string>
        {
            ["archive_mode"] = "on",
            ["archive_command"] = $"'SHIPPYAR_CONFIG=\"{ConfigFile}\" \"{ShippyarCli.Path}\" wal-push \"%p\" --repository {Name}'",
            ["wal_level"] = "replica",
        });
    }

    public PostgresSandbox Sandbox { get; }
    public string Repository => _repository.Path;
    public string ConfigFile { get; }
    public string ConfigDirectory => _config.Path;

    private string Copy(string? from, string name, string? content = null)
    {
        var path = Path.Combine(_keys.Path, name);
        if (from is null) File.WriteAllText(path, content);
        else File.Copy(from, path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public void Dispose()
    {
        Sandbox.Dispose();
        _gpg.Dispose();
        _repository.Dispose();
        _keys.Dispose();
        _config.Dispose();
    }
}

/// <summary>shippyar-dr's --repository as a registered name: archive_command and restore_command of a real cluster, and the exit codes of configuration errors.</summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NamedRepositoryCliTests(NamedArchivingCluster cluster, ITestOutputHelper output) : IClassFixture<NamedArchivingCluster>
{
    private PostgresSandbox Sandbox => cluster.Sandbox;

    private (int ExitCode, string StdErr) Cli(string configFile, params string[] args)
    {
        var result = ShippyarCli.RunWith(new Dictionary<string, string> { [ConfigurationPaths.Variable] = configFile }, Sandbox.DataDirectory, args);
        output.WriteLine($"shippyar-dr {string.Join(' ', args)} -> {result.ExitCode}\n{result.StdErr}");
        return result;
    }

    private string Archived()
    {
        var segment = WalSegments.Switch(Sandbox);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (string.CompareOrdinal(Sandbox.QueryScalar("postgres", "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver"), segment) < 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{segment} was not archived:\n{ArchivingCluster.Tail(Sandbox.LogFile)}");
            Thread.Sleep(100);
        }
        return segment;
    }

    [Fact]
    public void PostgreSQL_archives_into_a_registered_encrypted_signed_repository_by_name_and_wal_fetch_restores_by_name()
    {
        var segment = Archived();
        var identity = ClusterIdentity.FromDataDirectory(Sandbox.DataDirectory);
        var folder = Path.Combine(cluster.Repository, WalLayout.Folder(identity.SystemIdentifier, WalFileName.Parse(segment)));
        // Encrypted with the registered passphrase and signed with the registered key, though the command line named neither.
        Assert.Single(Directory.EnumerateFiles(folder, segment + "-*.zst.gpg"));
        var manifest = Directory.EnumerateFiles(folder, segment + "-*" + WalLayout.ManifestSuffix).Single();
        Assert.NotNull(SealedWalManifest.Parse(File.ReadAllBytes(manifest), manifest).SealBytes().Signature);
        Assert.DoesNotContain(NamedArchivingCluster.Passphrase, File.ReadAllText(cluster.ConfigFile));

        var back = Path.Combine(Sandbox.RootDirectory, "named-back");
        var (exit, _) = Cli(cluster.ConfigFile, "wal-fetch", segment, back, "--repository", NamedArchivingCluster.Name);
        Assert.Equal(0, exit);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Sandbox.DataDirectory, "pg_wal", segment)), File.ReadAllBytes(back));
        File.Delete(back);
        // Without --repository: the configuration's default, the same repository.
        Assert.Equal(0, Cli(cluster.ConfigFile, "wal-fetch", segment, back).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Sandbox.DataDirectory, "pg_wal", segment)), File.ReadAllBytes(back));
        File.Delete(back);
        Assert.Equal(0, Cli(cluster.ConfigFile, "wal-push", $"pg_wal/{segment}").ExitCode);
        // Options on the command line win over the registration: a wrong passphrase cannot open what the registered one sealed.
        var wrong = Path.Combine(Sandbox.RootDirectory, "wrong.pass");
        File.WriteAllText(wrong, "cli-Wrong-passphrase-64\n");
        File.SetUnixFileMode(wrong, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ServerAccount.Default.GiveOwnership(wrong);
        Assert.Equal(7, Cli(cluster.ConfigFile, "wal-fetch", segment, back, "--repository", NamedArchivingCluster.Name, "--passphrase-file", wrong).ExitCode);
        Assert.False(File.Exists(back));
        File.Delete(wrong);
    }

    [Fact]
    public void An_unknown_name_no_default_and_a_relative_path_are_configuration_errors()
    {
        var segment = Archived();
        var (unknown, unknownErr) = Cli(cluster.ConfigFile, "wal-push", $"pg_wal/{segment}", "--repository", "nosuchrepo");
        Assert.Equal((3, true), (unknown, unknownErr.Contains("RepositoryNameUnknown")));
        Assert.Contains(NamedArchivingCluster.Name, unknownErr); // the registered names are listed
        // A bare word is a name even where a directory of that name exists in the data directory.
        var (global, globalErr) = Cli(cluster.ConfigFile, "wal-fetch", segment, "pg_wal/RECOVERYXLOG", "--repository", "global");
        Assert.Equal((3, true), (global, globalErr.Contains("RepositoryNameUnknown")));
        var (relative, relativeErr) = Cli(cluster.ConfigFile, "wal-push", $"pg_wal/{segment}", "--repository", "pg_wal/archive");
        Assert.Equal((3, true), (relative, relativeErr.Contains("RepositoryPathRelative")));
        var empty = Path.Combine(cluster.ConfigDirectory, "empty.json");
        File.WriteAllText(empty, "{\"version\": 1, \"repositories\": {}}");
        try
        {
            var (none, noneErr) = Cli(empty, "wal-push", $"pg_wal/{segment}");
            Assert.Equal((3, true), (none, noneErr.Contains("NoDefaultRepository")));
        }
        finally { File.Delete(empty); }
    }

    [Fact]
    public void A_configuration_file_others_may_write_is_refused_with_exit_3()
    {
        var segment = Archived();
        var copy = Path.Combine(cluster.ConfigDirectory, "open.json");
        File.Copy(cluster.ConfigFile, copy, overwrite: true);
        File.SetUnixFileMode(copy, (UnixFileMode)0b110_110_110);
        try
        {
            var (exit, stderr) = Cli(copy, "wal-push", $"pg_wal/{segment}", "--repository", NamedArchivingCluster.Name);
            Assert.Equal((3, true), (exit, stderr.Contains("ConfigurationInsecure")));
            Assert.Equal(3, Cli(copy, "wal-fetch", segment, "pg_wal/RECOVERYXLOG", "--repository", NamedArchivingCluster.Name).ExitCode);
            Assert.False(File.Exists(Path.Combine(Sandbox.DataDirectory, "pg_wal", "RECOVERYXLOG")));
        }
        finally { File.Delete(copy); }
    }
}
