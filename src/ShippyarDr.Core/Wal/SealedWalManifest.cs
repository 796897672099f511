using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal;

/// <summary>
/// A WAL file's manifest object: two lines of JSON, the manifest and then its seal (a MAC under the passphrase, an
/// OpenPGP signature, or neither). The seal covers the first line's exact bytes, so `head -1` of the object is what
/// was sealed, and one object per archived file carries both (one write, one read, no seal without its manifest).
/// </summary>
public sealed class SealedWalManifest
{
    public const int MaxSize = 1 << 20;

    private SealedWalManifest(WalManifest manifest, byte[] manifestBytes, WalSeal seal)
        => (Manifest, ManifestBytes, Seal) = (manifest, manifestBytes, seal);

    public WalManifest Manifest { get; }
    /// <summary>The exact bytes the seal covers.</summary>
    public byte[] ManifestBytes { get; }
    public WalSeal Seal { get; }

    public bool IsSealed => Seal.Mac is not null || Seal.Signature is not null;

    /// <summary>The object's bytes: the manifest sealed by every sealer given (none for an unsealed archive).</summary>
    public static byte[] Create(WalManifest manifest, IReadOnlyList<IManifestSealer> sealers)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, WalJson.Default.WalManifest);
        var seal = new WalSeal();
        foreach (var sealer in sealers)
        {
            if (sealer is SigningKey) seal.Signature = Convert.ToBase64String(sealer.Seal(bytes));
            else seal.Mac = Convert.ToBase64String(sealer.Seal(bytes));
        }
        return [.. bytes, (byte)'\n', .. JsonSerializer.SerializeToUtf8Bytes(seal, WalJson.Default.WalSeal), (byte)'\n'];
    }

    public static SealedWalManifest Parse(byte[] content, string where)
    {
        try
        {
            var newline = Array.IndexOf(content, (byte)'\n');
            if (newline < 0) throw new JsonException("it has no seal line");
            var manifestBytes = content[..newline];
            var manifest = JsonSerializer.Deserialize(manifestBytes, WalJson.Default.WalManifest) ?? throw new JsonException("empty manifest");
            var seal = JsonSerializer.Deserialize(Encoding.UTF8.GetString(content, newline + 1, content.Length - newline - 1).Trim(), WalJson.Default.WalSeal)
                ?? throw new JsonException("empty seal");
            if (manifest.File is null || manifest.File.Chunks is null || string.IsNullOrEmpty(manifest.Name))
                throw new JsonException("it does not describe a data object");
            return new SealedWalManifest(manifest, manifestBytes, seal);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.WalManifestInvalid, $"WAL manifest {where} cannot be read: {e.Message}", where, e);
        }
    }

    /// <summary>The seal's MAC file and signature, decoded (null where absent).</summary>
    public (byte[]? Mac, byte[]? Signature) SealBytes()
    {
        try
        {
            return (Seal.Mac is null ? null : Convert.FromBase64String(Seal.Mac), Seal.Signature is null ? null : Convert.FromBase64String(Seal.Signature));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}

/// <summary>The second line of a WAL manifest object: base64 of what a backup keeps in manifest.json.mac and .sig.</summary>
public sealed class WalSeal
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mac { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Signature { get; set; }
}
