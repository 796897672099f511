using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ShippyarDr.Configuration;

namespace ShippyarDr.Audit;

/// <summary>
/// Records a store did not take, kept on this host until the next write to that store succeeds:
/// <c>&lt;spool&gt;/&lt;store&gt;/&lt;created&gt;-&lt;id&gt;.json</c>, the folder named by a digest of the store's key, readable
/// by the user running it only (0700/0600). A record holds no secret.
/// </summary>
public sealed class AuditSpool
{
    public AuditSpool(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The spool of this user or host (see <see cref="ConfigurationPaths.AuditSpoolDirectory"/>).</summary>
    public static AuditSpool Default() => new(ConfigurationPaths.AuditSpoolDirectory());

    public string Save(string storeKey, AuditRecord record)
    {
        var folder = FolderOf(storeKey);
        CreatePrivate(Directory);
        CreatePrivate(folder);
        var path = Path.Combine(folder, Path.GetFileName(RepositoryAuditStore.KeyOf(record)));
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, options))
            JsonSerializer.Serialize(file, record with { Store = null }, AuditJson.Default.AuditRecord);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>The records waiting for a store, oldest first, with their files.</summary>
    public IReadOnlyList<(string File, AuditRecord Record)> Pending(string storeKey)
    {
        var folder = FolderOf(storeKey);
        if (!System.IO.Directory.Exists(folder)) return [];
        var pending = new List<(string, AuditRecord)>();
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(file), AuditJson.Default.AuditRecord) is { } record) pending.Add((file, record));
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                // A damaged file is left for a person to look at; it must not stop the others.
            }
        }
        return pending;
    }

    public static void Remove(string file) => File.Delete(file);

    private string FolderOf(string storeKey)
        => Path.Combine(Directory, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(storeKey)))[..16].ToLowerInvariant());

    private static void CreatePrivate(string directory)
    {
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(directory);
        else System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
