using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;

namespace ShippyarDr.Core.Tests;

/// <summary>Passphrase and key files as a careless or hostile user names them, with real gpg exports. (File modes: Unix only.)</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyMaterialFileTests : IClassFixture<GpgHome>, IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly GpgHome _gpg;
    private readonly TempDirectory _dir = new();

    public KeyMaterialFileTests(GpgHome gpg) => _gpg = gpg;

    public void Dispose() => _dir.Dispose();

    private string Write(string content, UnixFileMode mode)
    {
        var path = Path.Combine(_dir.Path, Guid.NewGuid().ToString("n"));
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private string CopyOf(string file, UnixFileMode mode)
    {
        var path = Path.Combine(_dir.Path, Guid.NewGuid().ToString("n") + ".asc");
        File.Copy(file, path);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void A_passphrase_file_others_can_read_is_used_with_a_warning_naming_the_file_and_the_fix()
    {
        var reporter = new RecordingReporter();
        var path = Write("open-Secret-1\nsecond line is ignored\n", WorldReadable);
        Assert.Equal("open-Secret-1", new string(KeyMaterialFile.ReadPassphrase(path, reporter)));
        var warning = Assert.Single(reporter.Warnings);
        Assert.Contains(path, warning);
        Assert.Contains("0644", warning);
        Assert.Contains($"chmod 600 {path}", warning);
        Assert.DoesNotContain("open-Secret-1", warning);
    }

    [Fact]
    public void A_passphrase_file_only_its_owner_can_read_gets_no_warning()
    {
        var reporter = new RecordingReporter();
        Assert.Equal("closed-Secret-2", new string(KeyMaterialFile.ReadPassphrase(Write("closed-Secret-2\r\n", OwnerOnly), reporter)));
        Assert.Empty(reporter.Warnings);
    }

    [Fact]
    public void A_group_writable_secret_file_is_open_to_others_too()
    {
        Assert.NotNull(KeyMaterialFile.PermissionWarning(Write("x", OwnerOnly | UnixFileMode.GroupWrite), "passphrase file"));
    }

    [Fact]
    public void Missing_directory_and_empty_passphrase_files_each_say_what_is_wrong()
    {
        var missing = Assert.Throws<ShippyarException>(() => KeyMaterialFile.ReadPassphrase(Path.Combine(_dir.Path, "nope"), NullReporter.Instance));
        Assert.Equal(("PassphraseFileNotFound", ShippyarErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        var directory = Assert.Throws<ShippyarException>(() => KeyMaterialFile.ReadPassphrase(_dir.Path, NullReporter.Instance));
        Assert.Equal(("PassphraseFileIsDirectory", ShippyarErrorKind.InvalidArgument), (directory.ErrorId, directory.Kind));
        Assert.Contains("is a directory", directory.Message);
        foreach (var content in new[] { "", "\n", "\nsecret on the second line\n" })
        {
            var empty = Assert.Throws<ShippyarException>(() => KeyMaterialFile.ReadPassphrase(Write(content, OwnerOnly), NullReporter.Instance));
            Assert.Equal(("EmptyPassphrase", ShippyarErrorKind.InvalidArgument), (empty.ErrorId, empty.Kind));
            Assert.Contains("first line", empty.Message);
        }
    }

    [Fact]
    public void A_device_or_a_huge_file_named_as_passphrase_file_is_refused_without_reading_it_all()
    {
        var e = Assert.Throws<ShippyarException>(() => KeyMaterialFile.ReadPassphrase("/dev/zero", NullReporter.Instance));
        Assert.Equal(("PassphraseFileInvalid", ShippyarErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal("EmptyPassphrase", Assert.Throws<ShippyarException>(() => KeyMaterialFile.ReadPassphrase("/dev/null", NullReporter.Instance)).ErrorId);
        Assert.Equal(new string('p', 4096), new string(KeyMaterialFile.ReadPassphrase(Write(new string('p', 4096) + "\n", OwnerOnly), NullReporter.Instance)));
    }

    [Fact]
    public void A_secret_key_file_others_can_read_loads_with_a_warning()
    {
        var reporter = new RecordingReporter();
        var open = CopyOf(_gpg.SecretKeyFile, WorldReadable);
        Assert.Equal(1, OpenPgpKeys.LoadSecretKeys(open, reporter).Count);
        Assert.Contains(open, Assert.Single(reporter.Warnings));

        var quiet = new RecordingReporter();
        OpenPgpKeys.LoadSecretKeys(CopyOf(_gpg.SecretKeyFile, OwnerOnly), quiet);
        Assert.Empty(quiet.Warnings);
    }

    [Fact]
    public void A_public_key_file_is_not_a_secret_and_gets_no_warning()
    {
        // FindRecipient takes no reporter at all: public keys are meant to be read by anyone.
        Assert.Equal(_gpg.Fingerprint, OpenPgpKeys.FindRecipient(CopyOf(_gpg.PublicKeyFile, WorldReadable), "backup@shippyar.example").Fingerprint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage garbage\n")]
    [InlineData("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all\n-----END PGP PUBLIC KEY BLOCK-----\n")]
    public void Garbage_and_empty_key_files_are_not_key_files(string content)
    {
        var path = Write(content, OwnerOnly);
        foreach (var load in new Action[] { () => OpenPgpKeys.LoadSecretKeys(path), () => OpenPgpKeys.FindRecipient(path, null) })
        {
            var e = Assert.Throws<ShippyarException>(load);
            Assert.Equal(("KeyFileUnreadable", ShippyarErrorKind.InvalidData), (e.ErrorId, e.Kind));
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void Random_bytes_are_not_a_key_file()
    {
        var path = Path.Combine(_dir.Path, "random.gpg");
        var random = new Random(7);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var bytes = new byte[2000];
            random.NextBytes(bytes);
            bytes[0] = (byte)(0x80 | bytes[0]); // a binary packet tag, so the parser goes deep rather than stop at armor
            File.WriteAllBytes(path, bytes);
            Assert.Equal("KeyFileUnreadable", Assert.Throws<ShippyarException>(() => OpenPgpKeys.LoadSecretKeys(path)).ErrorId);
        }
    }

    [Fact]
    public void A_public_key_where_a_secret_key_is_needed_and_the_reverse_say_so()
    {
        var publicAsSecret = Assert.Throws<ShippyarException>(() => OpenPgpKeys.LoadSecretKeys(_gpg.PublicKeyFile));
        Assert.Equal("KeyFileWrongKind", publicAsSecret.ErrorId);
        Assert.Contains("public keys only", publicAsSecret.Message);
        Assert.Contains("gpg --export-secret-keys", publicAsSecret.Message);
        var secretAsPublic = Assert.Throws<ShippyarException>(() => OpenPgpKeys.FindRecipient(_gpg.SecretKeyFile, null));
        Assert.Equal("KeyFileWrongKind", secretAsPublic.ErrorId);
        Assert.Contains("gpg --export --armor", secretAsPublic.Message);
    }

    [Fact]
    public void A_key_file_that_is_a_directory_or_missing_says_so()
    {
        Assert.Equal("KeyFileIsDirectory", Assert.Throws<ShippyarException>(() => OpenPgpKeys.LoadSecretKeys(_dir.Path)).ErrorId);
        Assert.Equal("KeyFileIsDirectory", Assert.Throws<ShippyarException>(() => OpenPgpKeys.FindRecipient(_dir.Path, null)).ErrorId);
        Assert.Equal("KeyFileNotFound", Assert.Throws<ShippyarException>(() => OpenPgpKeys.LoadSecretKeys(Path.Combine(_dir.Path, "none.asc"))).ErrorId);
    }
}
