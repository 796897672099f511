using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using ShippyarDr.Repository;

namespace ShippyarDr.Authentication;

/// <summary>
/// manifest.json.mac of a passphrase-encrypted backup: HMAC-SHA256 of the manifest under a key only the passphrase
/// gives. The key is gpg's iterated and salted S2K of the passphrase (SHA-256, the salt and count recorded beside the
/// MAC; the same derivation the backup's encryption made once), expanded by HKDF-SHA256 so it is never the key that
/// seals session keys. Nobody without the passphrase can make one; the public-key mode uses a signature instead.
/// </summary>
public sealed class ManifestMac : IManifestSealer
{
    private const string Info = "ShippyarDr manifest MAC v1";
    private readonly byte[] _salt;
    private readonly int _count;
    private readonly byte[] _key;

    /// <param name="s2kKey">The 32-byte S2K derivation of the passphrase under <paramref name="salt"/> and <paramref name="count"/>.</param>
    public ManifestMac(byte[] salt, int count, byte[] s2kKey)
    {
        (_salt, _count) = (salt, count);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, s2kKey, 32, salt: Array.Empty<byte>(), info: Encoding.ASCII.GetBytes(Info));
    }

    public string FileName => BackupLayout.MacName;

    public byte[] Seal(ReadOnlySpan<byte> manifest) => JsonSerializer.SerializeToUtf8Bytes(new MacFile
    {
        Salt = Convert.ToHexString(_salt).ToLowerInvariant(), Count = _count, Mac = Convert.ToHexString(HMACSHA256.HashData(_key, manifest)).ToLowerInvariant(),
    }, RepositoryJson.Default.MacFile);

    /// <summary>Whether the MAC file holds the MAC of <paramref name="manifest"/> under <paramref name="passphrase"/>, or why not.</summary>
    public static (bool Valid, string Detail) Verify(ReadOnlySpan<byte> manifest, byte[] macFile, char[] passphrase)
    {
        MacFile? mac;
        try { mac = JsonSerializer.Deserialize(macFile, RepositoryJson.Default.MacFile); }
        catch (JsonException e) { return (false, $"the MAC file cannot be read ({e.Message})"); }
        if (mac is null || mac.Algorithm != MacFile.Hmac || mac.KeyDerivation != MacFile.Derivation || mac.Count is < 0 or > 255
            || !TryHex(mac.Salt, 8, out var salt) || !TryHex(mac.Mac, 32, out var expected))
            return (false, "the MAC file is not one this version writes");
        var s2k = PgpUtilities.MakeKeyFromPassPhraseUtf8(SymmetricKeyAlgorithmTag.Aes256, new S2k(HashAlgorithmTag.Sha256, salt, mac.Count), passphrase).GetKey();
        var actual = HMACSHA256.HashData(new ManifestMac(salt, mac.Count, s2k)._key, manifest);
        return CryptographicOperations.FixedTimeEquals(actual, expected)
            ? (true, "MAC matches (HMAC-SHA256 under the passphrase)")
            : (false, "the MAC does not match: the manifest was changed, or the passphrase is not the backup's");
    }

    private static bool TryHex(string? hex, int bytes, out byte[] value)
    {
        value = Array.Empty<byte>();
        if (hex is null || hex.Length != bytes * 2) return false;
        try { value = Convert.FromHexString(hex); return true; }
        catch (FormatException) { return false; }
    }

    internal sealed class MacFile
    {
        public const string Hmac = "HMAC-SHA256";
        public const string Derivation = "OpenPGP-S2K-SHA256+HKDF-SHA256";
        public string Algorithm { get; set; } = Hmac;
        public string KeyDerivation { get; set; } = Derivation;
        public string? Salt { get; set; }
        public int Count { get; set; }
        public string? Mac { get; set; }
    }
}
