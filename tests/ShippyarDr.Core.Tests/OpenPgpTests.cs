using System.Security.Cryptography;
using ShippyarDr.Core.Tests.Fixtures;
using ShippyarDr.Diagnostics;
using ShippyarDr.Encryption;

namespace ShippyarDr.Core.Tests;

/// <summary>Our OpenPGP stage against real gpg 2.2, both ways.</summary>
public sealed class OpenPgpTests : IClassFixture<GpgHome>, IDisposable
{
    private const string Passphrase = "backup-Passphrase-9";
    private readonly GpgHome _gpg;
    private readonly TempDirectory _dir = new();

    public OpenPgpTests(GpgHome gpg) => _gpg = gpg;

    public void Dispose() => _dir.Dispose();

    private static byte[] RandomData(int size) => RandomNumberGenerator.GetBytes(size);

    private string Encrypt(OpenPgpEncryption encryption, byte[] data)
    {
        var path = Path.Combine(_dir.Path, Guid.NewGuid().ToString("n") + ".gpg");
        using (var file = File.Create(path))
        using (var enc = encryption.Encrypt(file, "data.dump.zst"))
            for (var off = 0; off < data.Length; off += 100_003) enc.Write(data, off, Math.Min(100_003, data.Length - off));
        return path;
    }

    private static byte[] Decrypt(OpenPgpDecryption decryption, string path)
    {
        using var file = File.OpenRead(path);
        using var plain = decryption.Decrypt(file);
        using var ms = new MemoryStream();
        plain.CopyTo(ms);
        return ms.ToArray();
    }

    private string PassphraseFile()
    {
        var path = Path.Combine(_dir.Path, "p" + Guid.NewGuid().ToString("n"));
        File.WriteAllText(path, Passphrase);
        return path;
    }

    [Fact]
    public void Gpg_decrypts_what_we_encrypt_with_a_passphrase()
    {
        var data = RandomData(20_000_000);
        var encrypted = Encrypt(OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()), data);
        var output = Path.Combine(_dir.Path, "out");
        _gpg.Run("--passphrase-file", PassphraseFile(), "--output", output, "--decrypt", encrypted);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(File.ReadAllBytes(output)));
    }

    [Fact]
    public void Gpg_decrypts_what_we_encrypt_to_its_public_key_and_the_manifest_names_gpgs_fingerprint()
    {
        var data = RandomData(3_000_000);
        var encryption = OpenPgpEncryption.ToRecipients(_gpg.PublicKeyFile, new[] { "backup@shippyar.example" });
        Assert.Equal(new[] { _gpg.Fingerprint }, encryption.Describe().KeyFingerprints);
        Assert.Equal("public-key", encryption.Describe().Mode);
        var encrypted = Encrypt(encryption, data);
        var output = Path.Combine(_dir.Path, "out");
        _gpg.Run("--passphrase-file", _gpg.PassphraseFile, "--output", output, "--decrypt", encrypted);
        Assert.Equal(data, File.ReadAllBytes(output));
        // Selecting by fingerprint finds the same key.
        Assert.Equal(_gpg.Fingerprint, OpenPgpKeys.FindRecipient(_gpg.PublicKeyFile, _gpg.Fingerprint).Fingerprint);
    }

    [Fact]
    public void Gpg_decrypts_what_we_encrypt_to_a_curve25519_key()
    {
        var data = RandomData(1_234_567);
        var encrypted = Encrypt(OpenPgpEncryption.ToRecipients(_gpg.EcPublicKeyFile, new[] { "vault@shippyar.example" }), data);
        var output = Path.Combine(_dir.Path, "out");
        _gpg.Run("--passphrase-file", _gpg.PassphraseFile, "--output", output, "--decrypt", encrypted);
        Assert.Equal(data, File.ReadAllBytes(output));
    }

    [Fact]
    public void Each_of_several_recipients_opens_the_backup_with_only_its_own_secret_key()
    {
        var data = RandomData(700_001);
        var encryption = OpenPgpEncryption.ToRecipients(_gpg.BothPublicKeysFile, new[] { "backup@shippyar.example", "vault@shippyar.example" });
        Assert.Equal(2, encryption.Describe().KeyFingerprints.Count);
        var encrypted = Encrypt(encryption, data);
        foreach (var secret in new[] { _gpg.SecretKeyFile, _gpg.EcSecretKeyFile })
            Assert.Equal(data, Decrypt(OpenPgpDecryption.FromSources(null, secret, GpgHome.KeyPassphrase.ToCharArray())!, encrypted));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_536 - 19)] // the literal packet's first chunk exactly full (19 header bytes for "data.dump.zst")
    [InlineData(3 * 65_536 + 17)]
    public void Gpg_reads_every_message_length_across_partial_length_chunks(int size)
    {
        var data = RandomData(size);
        var encrypted = Encrypt(OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()), data);
        var output = Path.Combine(_dir.Path, "out" + size);
        _gpg.Run("--passphrase-file", PassphraseFile(), "--output", output, "--decrypt", encrypted);
        Assert.Equal(data, File.ReadAllBytes(output));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void We_decrypt_what_gpg_encrypts_symmetrically_with_its_default_compression(bool armor)
    {
        var data = RandomData(2_000_000);
        var input = Path.Combine(_dir.Path, "plain");
        File.WriteAllBytes(input, data);
        var encrypted = Path.Combine(_dir.Path, "gpg-sym" + armor);
        var args = new List<string> { "--passphrase-file", PassphraseFile(), "--symmetric", "--cipher-algo", "AES256", "--output", encrypted };
        if (armor) args.Add("--armor");
        args.Add(input);
        _gpg.Run(args.ToArray());
        Assert.Equal(data, Decrypt(new OpenPgpDecryption(Passphrase.ToCharArray()), encrypted));
    }

    [Fact]
    public void We_decrypt_what_gpg_encrypts_to_a_recipient_with_the_exported_secret_key()
    {
        var data = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("COPY public.orders FROM stdin;\n", 50_000)));
        var input = Path.Combine(_dir.Path, "plain");
        File.WriteAllBytes(input, data);
        var encrypted = Path.Combine(_dir.Path, "gpg-pk");
        _gpg.Run("--trust-model", "always", "--recipient", "backup@shippyar.example", "--output", encrypted, "--encrypt", input);
        var keys = OpenPgpKeys.LoadSecretKeys(_gpg.SecretKeyFile);
        Assert.Equal(data, Decrypt(new OpenPgpDecryption(null, keys, GpgHome.KeyPassphrase.ToCharArray()), encrypted));

        var wrongKeyPassphrase = Assert.Throws<ShippyarException>(() => Decrypt(new OpenPgpDecryption(null, keys, "nope".ToCharArray()), encrypted));
        Assert.Equal("SecretKeyPassphraseWrong", wrongKeyPassphrase.ErrorId);
    }

    [Fact]
    public void A_wrong_passphrase_fails_before_any_plaintext()
    {
        var encrypted = Encrypt(OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()), RandomData(100_000));
        using var file = File.OpenRead(encrypted);
        var e = Assert.Throws<ShippyarException>(() => new OpenPgpDecryption("wrong-one".ToCharArray()).Decrypt(file));
        Assert.Equal("DecryptionKeyWrong", e.ErrorId);
        Assert.Equal(ShippyarErrorKind.AuthenticationError, e.Kind);
        Assert.DoesNotContain("wrong-one", e.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void A_flipped_byte_never_decrypts_silently(double where)
    {
        var data = RandomData(1_000_000);
        var encrypted = Encrypt(OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()), data);
        var bytes = File.ReadAllBytes(encrypted);
        bytes[(int)(bytes.Length * where)] ^= 0x40;
        File.WriteAllBytes(encrypted, bytes);
        var e = Assert.Throws<ShippyarException>(() => Decrypt(new OpenPgpDecryption(Passphrase.ToCharArray()), encrypted));
        Assert.Equal(ShippyarErrorKind.InvalidData, e.Kind);
    }

    [Fact]
    public void A_truncated_message_never_decrypts_silently()
    {
        var encrypted = Encrypt(OpenPgpEncryption.WithPassphrase(Passphrase.ToCharArray()), RandomData(1_000_000));
        var bytes = File.ReadAllBytes(encrypted);
        File.WriteAllBytes(encrypted, bytes[..(bytes.Length - 30)]);
        Assert.ThrowsAny<ShippyarException>(() => Decrypt(new OpenPgpDecryption(Passphrase.ToCharArray()), encrypted));
    }

    [Fact]
    public void Unknown_recipients_and_missing_key_files_are_clear_errors()
    {
        Assert.Equal("RecipientNotFound", Assert.Throws<ShippyarException>(() => OpenPgpKeys.FindRecipient(_gpg.PublicKeyFile, "nobody@example.com")).ErrorId);
        Assert.Equal("KeyFileNotFound", Assert.Throws<ShippyarException>(() => OpenPgpKeys.FindRecipient("/no/such/key.asc", null)).ErrorId);
    }
}

/// <summary>A sign-only key (no encryption subkey) is refused as a recipient, as gpg refuses it.</summary>
public sealed class OpenPgpSignOnlyKeyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_key_without_encryption_usage_cannot_be_a_recipient()
    {
        var home = Directory.CreateTempSubdirectory("gpgs").FullName;
        try
        {
            void Gpg(params string[] args)
            {
                var psi = new System.Diagnostics.ProcessStartInfo("gpg") { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "--batch", "--homedir", home, "--pinentry-mode", "loopback", "--passphrase", "" }.Concat(args)) psi.ArgumentList.Add(a);
                using var p = System.Diagnostics.Process.Start(psi)!;
                p.WaitForExit();
                Assert.Equal(0, p.ExitCode);
            }
            Gpg("--quick-gen-key", "Signer <signer@shippyar.example>", "rsa2048", "sign", "never");
            var pub = Path.Combine(_dir.Path, "signer.asc");
            Gpg("--armor", "--output", pub, "--export", "signer@shippyar.example");
            var e = Assert.Throws<ShippyarException>(() => OpenPgpKeys.FindRecipient(pub, "signer@shippyar.example"));
            Assert.Equal("KeyCannotEncrypt", e.ErrorId);
        }
        finally
        {
            System.Diagnostics.Process.Start("gpgconf", new[] { "--homedir", home, "--kill", "gpg-agent" })?.WaitForExit(5000);
            Directory.Delete(home, true);
        }
    }
}
