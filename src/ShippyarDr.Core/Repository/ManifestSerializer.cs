using System.Text.Json;
using System.Text.Json.Serialization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>Manifests are indented JSON, so a DBA can read one with `cat` during an incident.</summary>
public static class ManifestSerializer
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static byte[] Serialize(BackupInfo info) => JsonSerializer.SerializeToUtf8Bytes(info, Options);

    public static BackupInfo Deserialize(ReadOnlySpan<byte> json, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<BackupInfo>(json, Options)
                   ?? throw new JsonException("empty manifest");
        }
        catch (JsonException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, "ManifestCorrupt", $"Manifest {where} cannot be read: {e.Message}", where, e);
        }
    }
}
