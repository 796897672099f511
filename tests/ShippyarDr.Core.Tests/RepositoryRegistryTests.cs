using System.Diagnostics;
using ShippyarDr.Configuration;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Core.Tests;

/// <summary>
/// The configuration of named repositories on real files: scopes and precedence, modes and owners, what is refused
/// (insecure, malformed, secrets), how a name or a location resolves. Never the real /etc/shippyar or ~/.config.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RepositoryRegistryTests : IDisposable
{
    private readonly TempDirectory _dir = new("shippyar-config-");
    private readonly string _machine;
    private readonly string _user;
    private readonly string _repo;
    private readonly RecordingReporter _reporter = new();

    public RepositoryRegistryTests()
    {
        _machine = Path.Combine(_dir.Path, "etc", "shippyar", "repositories.json");
        _user = Path.Combine(_dir.Path, "home", ".config", "shippyar", "repositories.json");
        _repo = Directory.CreateDirectory(Path.Combine(_dir.Path, "repo")).FullName;
    }

    public void Dispose() => _dir.Dispose();

    private RepositoryRegistry Registry() => RepositoryRegistry.Load(new ConfigurationPaths(_machine, _user));

    private static RepositoryRegistration Entry(string name, string location) => new() { Name = name, Location = location };

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: {stderr}");
        return stdout.Trim();
    }

    private static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public void A_user_entry_hides_a_machine_entry_of_the_same_name_and_the_users_default_wins()
    {
        var other = Directory.CreateDirectory(Path.Combine(_dir.Path, "other")).FullName;
        var registry = Registry();
        registry.Register(Entry("prod", _repo), ConfigurationScope.Machine, makeDefault: true);
        registry.Register(Entry("nas", other), ConfigurationScope.Machine);
        Assert.Equal("prod", registry.Default!.Name);
        registry.Register(Entry("prod", other + "/"), ConfigurationScope.User);
        registry.Register(Entry("mine", Path.Combine(_dir.Path, "mine")), ConfigurationScope.User, makeDefault: true);

        var fresh = Registry();
        Assert.Equal(new[] { "mine", "nas", "prod" }, fresh.List().Select(r => r.Name));
        var prod = fresh.Get("PROD");
        Assert.Equal(ConfigurationScope.User, prod.Scope);
        Assert.Equal(other, prod.Location);
        Assert.Equal(_user, prod.ConfigurationFile);
        Assert.Equal("mine", fresh.Default!.Name);
        // The machine file still holds its own prod (and its default), shown with -Scope Machine.
        var machine = fresh.List(ConfigurationScope.Machine);
        Assert.Equal(_repo, machine.Single(r => r.Name == "prod").Location);
        Assert.False(machine.Single(r => r.Name == "prod").IsDefault);
    }

    [Fact]
    public void Files_are_written_0600_for_a_user_and_0640_with_group_postgres_for_the_machine_and_the_postgres_user_can_read_the_machine_file()
    {
        var registry = Registry();
        registry.Register(Entry("prod", _repo), ConfigurationScope.Machine);
        registry.Register(Entry("mine", _repo + "-mine"), ConfigurationScope.User, reporter: _reporter);
        Assert.Equal("600", Mode(_user));
        Assert.Equal("700", Mode(Path.GetDirectoryName(_user)!));
        Assert.Equal("640", Mode(_machine));
        Assert.Equal("755", Mode(Path.GetDirectoryName(_machine)!));
        Assert.DoesNotContain(Directory.GetFiles(Path.GetDirectoryName(_machine)!), f => f.Contains(".tmp-"));
        if (!IsRoot) return;
        Assert.Equal("root:postgres", Run("stat", "-c", "%U:%G", _machine));
        // archive_command runs as postgres: it can open the file through its directories, and reads what was written.
        for (var d = Path.GetDirectoryName(_machine); d is not null && d.StartsWith(_dir.Path, StringComparison.Ordinal); d = Path.GetDirectoryName(d))
            File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.OtherExecute);
        var asPostgres = Run("runuser", "-u", "postgres", "--", "cat", _machine);
        Assert.Contains($"\"location\": \"{_repo}\"", asPostgres);
        var denied = Process.Start(new ProcessStartInfo("runuser", new[] { "-u", "postgres", "--", "cat", _user }) { RedirectStandardError = true })!;
        denied.WaitForExit();
        Assert.NotEqual(0, denied.ExitCode);
    }

    [Fact]
    public void A_config_file_others_may_write_or_another_user_owns_is_refused_naming_the_file()
    {
        Registry().Register(Entry("prod", _repo), ConfigurationScope.User);
        File.SetUnixFileMode(_user, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        var e = Assert.Throws<ShippyarException>(() => Registry());
        Assert.Equal(ErrorIds.ConfigurationInsecure, e.ErrorId);
        Assert.Equal(ShippyarErrorKind.PermissionDenied, e.Kind);
        Assert.Contains(_user, e.Message);
        Assert.Contains("0660", e.Message);

        File.SetUnixFileMode(_user, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var directory = Path.GetDirectoryName(_user)!;
        File.SetUnixFileMode(directory, File.GetUnixFileMode(directory) | UnixFileMode.OtherWrite);
        e = Assert.Throws<ShippyarException>(() => Registry());
        Assert.Equal(ErrorIds.ConfigurationInsecure, e.ErrorId);
        Assert.Contains($"directory {directory}", e.Message);
        // A sticky directory (as /tmp) lets nobody replace another's file.
        File.SetUnixFileMode(directory, File.GetUnixFileMode(directory) | UnixFileMode.StickyBit);
        Assert.Equal("prod", Registry().Get("prod").Name);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        if (!IsRoot) return;
        Run("chown", "postgres", _user);
        e = Assert.Throws<ShippyarException>(() => Registry());
        Assert.Equal(ErrorIds.ConfigurationInsecure, e.ErrorId);
        Assert.Contains("owned by postgres", e.Message);
    }

    [Theory]
    [InlineData("{ \"repositories\": { \"prod\": { \"location\": \"/x\" }, }", "line 1")]
    [InlineData("{\n  \"repositories\": {\n    \"prod\": { \"location\": \"/x\", \"colour\": \"red\" }\n  }\n}", "line 3")]
    [InlineData("{ \"repositories\": { \"prod\": { \"location\": \"backups\" } } }", "absolute path")]
    [InlineData("{ \"repositories\": { \"prod\": { } } }", "location")]
    [InlineData("{ \"repositories\": { \"prod\": { \"location\": \"/a\" }, \"PROD\": { \"location\": \"/b\" } } }", "twice")]
    [InlineData("{ \"repositories\": { \"a\": { \"location\": \"/a\" }, \"b\": { \"location\": \"/a/\" } } }", "same location")]
    [InlineData("{ \"repositories\": { \"a b\": { \"location\": \"/a\" } } }", "not a valid repository name")]
    [InlineData("{ \"default\": \"nope\", \"repositories\": { } }", "default 'nope'")]
    [InlineData("{ \"version\": 7, \"repositories\": { } }", "newer ShippyarDr")]
    [InlineData("{ \"repositories\": { \"s\": { \"location\": \"/a\", \"s3\": { \"region\": \"eu-west-1\" } } } }", "s3:// locations only")]
    [InlineData("{ \"repositories\": { \"r\": { \"location\": \"/a\", \"retention\": { \"daily\": { \"keepDayz\": 3 } } } } }", "keepDayz")]
    [InlineData("{ \"repositories\": { \"r\": { \"location\": \"/a\", \"retention\": { \"walDays\": -1 } } } }", "0 or more")]
    public void A_malformed_file_is_ConfigurationInvalid_naming_the_file_and_where(string content, string expected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_user)!);
        File.WriteAllText(_user, content);
        File.SetUnixFileMode(_user, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<ShippyarException>(() => { var r = Registry(); _ = r.Default; });
        Assert.Equal(ErrorIds.ConfigurationInvalid, e.ErrorId);
        Assert.Contains(_user, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("{ \"repositories\": { \"p\": { \"location\": \"s3://b-1/x\", \"s3\": { \"credentials\": { \"secretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\" } } } } }", "s3.credentials.secretAccessKey")]
    [InlineData("{ \"repositories\": { \"p\": { \"location\": \"/x\", \"encryption\": { \"passphrase\": \"Tr0ub4dor-and-3\" } } } }", "encryption.passphrase")]
    [InlineData("{ \"repositories\": { \"p\": { \"location\": \"s3://b-1/x\", \"s3\": { \"credentials\": { \"accessKeyVariable\": \"AKIAIOSFODNN7EXAMPLE\", \"secretKeyVariable\": \"S\" } } } } }", "access key id")]
    public void A_secret_where_a_reference_belongs_is_SecretNotAllowed_and_never_echoed(string content, string expected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_user)!);
        File.WriteAllText(_user, content);
        File.SetUnixFileMode(_user, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<ShippyarException>(() => Registry());
        Assert.Equal(ErrorIds.SecretNotAllowed, e.ErrorId);
        Assert.Contains(_user, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("wJalrXUtnFEMI", e.ToString());
        Assert.DoesNotContain("Tr0ub4dor", e.ToString());
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", e.Message);
    }

    [Fact]
    public void Registering_refuses_bad_references_before_writing_anything()
    {
        var registry = Registry();
        void Refused(string id, RepositoryRegistration r)
        {
            var e = Assert.Throws<ShippyarException>(() => registry.Register(r, reporter: _reporter));
            Assert.Equal(id, e.ErrorId);
            Assert.False(File.Exists(_user), $"{id}: nothing is written");
        }
        Refused(ErrorIds.RepositoryNameInvalid, Entry("no/slashes", _repo));
        Refused(ErrorIds.PathNotAbsolute, Entry("rel", "relative/dir"));
        Refused(ErrorIds.PathNotAbsolute, Entry("p", _repo) with { Encryption = new EncryptionReference { PassphraseFile = "Tr0ub4dor-and-3" } });
        Refused(ErrorIds.InvalidSecretReference, Entry("p", _repo) with { Encryption = new EncryptionReference { PassphraseVariable = "not a name!" } });
        Refused(ErrorIds.PassphraseAmbiguous, Entry("p", _repo) with { Encryption = new EncryptionReference { PassphraseVariable = "A", PassphraseFile = "/x" } });
        Refused(ErrorIds.EncryptionAmbiguous, Entry("p", _repo) with { Encryption = new EncryptionReference { PassphraseVariable = "A", Recipients = new[] { "x@y" }, RecipientKeyFile = "/k" } });
        Refused(ErrorIds.RecipientKeyFileRequired, Entry("p", _repo) with { Encryption = new EncryptionReference { Recipients = new[] { "x@y" } } });
        Refused(ErrorIds.PassphraseFileNotFound, Entry("p", _repo) with { Encryption = new EncryptionReference { PassphraseFile = Path.Combine(_dir.Path, "none.txt") } });
        Refused(ErrorIds.KeyFileNotFound, Entry("p", _repo) with { SignerKeyFiles = new[] { Path.Combine(_dir.Path, "none.asc") } });
        Refused(ErrorIds.InvalidS3Endpoint, new RepositoryRegistration { Name = "s", Location = "s3://bucket-1/x", S3 = new S3Settings { Endpoint = "minio:9000" } });
        Refused(ErrorIds.InvalidS3Options, new RepositoryRegistration { Name = "s", Location = "s3://bucket-1/x", S3 = new S3Settings { Credentials = new S3CredentialReference { AccessKeyVariable = "K" } } });
        Refused(ErrorIds.UnsupportedRepository, Entry("f", "ftp://host/x"));
    }

    [Fact]
    public void A_name_registered_twice_needs_replace_and_one_location_has_one_name()
    {
        var registry = Registry();
        registry.Register(Entry("prod", _repo));
        var e = Assert.Throws<ShippyarException>(() => registry.Register(Entry("Prod", _repo + "-2")));
        Assert.Equal(ErrorIds.RepositoryAlreadyRegistered, e.ErrorId);
        e = Assert.Throws<ShippyarException>(() => registry.Register(Entry("again", _repo + "/")));
        Assert.Equal(ErrorIds.RepositoryLocationRegistered, e.ErrorId);
        registry.Register(Entry("prod", _repo + "-2"), replace: true);
        Assert.Equal(_repo + "-2", Registry().Get("prod").Location);
    }

    [Fact]
    public void Unregistering_removes_the_entry_in_effect_and_clears_its_default()
    {
        var registry = Registry();
        registry.Register(Entry("prod", _repo), ConfigurationScope.Machine);
        registry.Register(Entry("prod", _repo + "-user"), ConfigurationScope.User, makeDefault: true);
        var removed = registry.Unregister("prod");
        Assert.Equal(ConfigurationScope.User, removed.Scope);
        // The machine entry it hid is in effect again; the user file has no default any more.
        Assert.Equal(_repo, registry.Get("prod").Location);
        Assert.Null(registry.Default);
        Assert.DoesNotContain("default", File.ReadAllText(_user));
        registry.Unregister("prod", ConfigurationScope.Machine);
        var e = Assert.Throws<ShippyarException>(() => registry.Unregister("prod"));
        Assert.Equal(ErrorIds.RepositoryNameUnknown, e.ErrorId);
    }

    [Fact]
    public void Concurrent_registrations_each_keep_their_entry()
    {
        Registry().Register(Entry("first", _repo));
        Parallel.For(0, 12, i => Registry().Register(Entry($"r{i}", Path.Combine(_dir.Path, $"repo{i}"))));
        Assert.Equal(13, Registry().List().Count);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_user)!, ".*.tmp-*"));
    }

    [Fact]
    public void A_name_resolves_to_its_registration_an_existing_path_wins_with_a_warning_and_a_registered_location_finds_its_name()
    {
        var registry = Registry();
        registry.Register(new RepositoryRegistration
        {
            Name = "offsite", Location = "s3://dr-bucket/pg/", S3 = new S3Settings { Endpoint = "http://127.0.0.1:9" },
        });
        registry.Register(Entry("local", _repo));
        var cwd = Directory.CreateDirectory(Path.Combine(_dir.Path, "cwd")).FullName;
        string Here(string p) => Path.GetFullPath(p, cwd);

        var byName = registry.Resolve("offsite", Here, _reporter);
        Assert.Equal("s3://dr-bucket/pg", byName.Location);
        Assert.Equal("offsite", byName.Name);
        Assert.Equal("http://127.0.0.1:9", byName.S3Options()!.Endpoint);
        // A BackupInfo names its repository by location: piped on, it finds the registration.
        Assert.Equal("offsite", registry.Resolve("s3://dr-bucket/pg", Here).Name);
        Assert.Equal("local", registry.Resolve(_repo + "/", Here).Name);
        Assert.Null(registry.Resolve("s3://dr-bucket/other", Here).Name);

        Directory.CreateDirectory(Path.Combine(cwd, "local"));
        var shadowed = registry.Resolve("local", Here, _reporter);
        Assert.Equal(Path.Combine(cwd, "local"), shadowed.Location);
        Assert.Null(shadowed.Name);
        Assert.Contains(_reporter.Warnings, w => w.Contains("'local' is a registered repository") && w.Contains("the path is used"));

        var e = Assert.Throws<ShippyarException>(() => registry.Resolve("ofsite", Here));
        Assert.Equal(ErrorIds.RepositoryNameUnknown, e.ErrorId);
        Assert.Contains("local, offsite", e.Message);
        // Something that looks like a path is a path: the repository reports it missing as before.
        Assert.Equal(Path.Combine(cwd, "sub/dir"), registry.Resolve("sub/dir", Here).Location);
    }

    [Fact]
    public void SHIPPYAR_CONFIG_alone_is_the_configuration_and_must_be_absolute()
    {
        var single = Path.Combine(_dir.Path, "single.json");
        Registry().Register(Entry("machine-one", _repo), ConfigurationScope.Machine);
        var saved = Environment.GetEnvironmentVariable(ConfigurationPaths.Variable);
        try
        {
            Environment.SetEnvironmentVariable(ConfigurationPaths.Variable, single);
            var registry = RepositoryRegistry.Load();
            Assert.Empty(registry.List());
            registry.Register(Entry("wal", _repo + "-wal"), ConfigurationScope.Machine, makeDefault: true);
            registry.Register(Entry("other", _repo + "-other"));
            var again = RepositoryRegistry.Load();
            Assert.Equal(new[] { "other", "wal" }, again.List().Select(r => r.Name));
            Assert.All(again.List(), r => Assert.Equal(ConfigurationScope.Environment, r.Scope));
            Assert.Equal("wal", again.Named(null).Name);
            Assert.Equal(_repo + "-other", again.Named("OTHER").Location);
            // The second registration (User) did not narrow the file that Machine made readable by group postgres.
            Assert.Equal("640", Mode(single));

            Environment.SetEnvironmentVariable(ConfigurationPaths.Variable, "relative.json");
            Assert.Equal(ErrorIds.PathNotAbsolute, Assert.Throws<ShippyarException>(() => RepositoryRegistry.Load()).ErrorId);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ConfigurationPaths.Variable, saved);
        }
    }

    [Fact]
    public void Named_takes_registered_names_only_and_no_default_is_a_clear_error()
    {
        var registry = Registry();
        registry.Register(Entry("local", _repo));
        var e = Assert.Throws<ShippyarException>(() => registry.Named(null));
        Assert.Equal(ErrorIds.NoDefaultRepository, e.ErrorId);
        Assert.Contains("local", e.Message);
        // Names only: a path is not looked at, even one that exists.
        e = Assert.Throws<ShippyarException>(() => registry.Named(_repo));
        Assert.Equal(ErrorIds.RepositoryNameUnknown, e.ErrorId);
    }

    [Fact]
    public void The_file_holds_references_only()
    {
        const string secretValue = "S3cret-Value-Zebra-42";
        var passFile = Path.Combine(_dir.Path, "pass.txt");
        File.WriteAllText(passFile, secretValue);
        File.SetUnixFileMode(passFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Environment.SetEnvironmentVariable("SHIPPYAR_TEST_S3_SECRET", secretValue);
        try
        {
            Registry().Register(new RepositoryRegistration
            {
                Name = "offsite", Location = "s3://dr-bucket/pg",
                S3 = new S3Settings { Credentials = new S3CredentialReference { AccessKeyVariable = "SHIPPYAR_TEST_S3_KEY", SecretKeyVariable = "SHIPPYAR_TEST_S3_SECRET" } },
                Encryption = new EncryptionReference { PassphraseFile = passFile },
            }, reporter: _reporter);
            var text = File.ReadAllText(_user);
            Assert.DoesNotContain(secretValue, text);
            Assert.Contains("\"secretKeyVariable\": \"SHIPPYAR_TEST_S3_SECRET\"", text);
            Assert.Contains($"\"passphraseFile\": \"{passFile}\"", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHIPPYAR_TEST_S3_SECRET", null);
        }
    }

    [Fact]
    public void A_retention_policy_is_stored_with_the_registration_and_read_back()
    {
        var registry = Registry();
        registry.Register(Entry("kept", _repo) with
        {
            Retention = new Retention.RetentionPolicy { Daily = new Retention.TierRetention { KeepDays = 30, KeepMonthly = 12 }, WalDays = 7 },
        }, ConfigurationScope.User);
        var json = File.ReadAllText(_user);
        Assert.Contains("\"retention\"", json);
        Assert.Contains("\"keepMonthly\": 12", json);
        Assert.DoesNotContain("walWindowDays", json, StringComparison.OrdinalIgnoreCase);
        var read = Registry().Get("kept");
        Assert.Equal((30, 12, 7), (read.Registration.Retention!.Daily!.KeepDays!.Value, read.Registration.Retention.Daily.KeepMonthly!.Value, read.Registration.Retention.WalDays!.Value));
        Assert.Null(read.Registration.Retention.Weekly);
        Assert.Equal("Daily: 30 days, 12 monthly; WAL: 7 days", read.Retention);
    }
}
