using System.Text.Json;
using System.Text.Json.Serialization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>Manifests are indented JSON, so a DBA can read one with `cat` during an incident.</summary>
public static class ManifestSerializer
{
    public static byte[] Serialize(BackupInfo info) => JsonSerializer.SerializeToUtf8Bytes(info, RepositoryJson.Default.BackupInfo);

    public static BackupInfo Deserialize(ReadOnlySpan<byte> json, string where)
    {
        try
        {
            var info = JsonSerializer.Deserialize(json, RepositoryJson.Default.BackupInfo) ?? throw new JsonException("empty manifest");
            // Valid JSON is not yet a manifest: `{}` would list as a backup of nothing that nothing can restore.
            var missing = new[] { ("Id", info.Id), ("Database", info.Database) }.Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1).ToList();
            if (missing.Count > 0) throw new JsonException($"it names no {string.Join(" and no ", missing)}");
            info.Files ??= new();
            if (info.Files.Any(f => f is null)) throw new JsonException("its Files list holds an empty entry");
            info.Tables ??= new();
            info.ForeignKeys ??= new();
            info.Databases ??= new();
            info.ToolVersions ??= new();
            if (info.Physical is { } physical) physical.Tablespaces ??= new();
            return info;
        }
        catch (JsonException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.ManifestCorrupt, $"Manifest {where} cannot be read: {e.Message}", where, e);
        }
    }
}
