using System.Text.Json;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>
/// repository.json at a repository's root: which layout it holds, who created it, the clusters (system identifiers)
/// whose backups it holds, and whether it holds authenticated backups. The last is sticky: once set, an unauthenticated
/// backup in the repository is refused unless the caller allows it, so stripping a signature is no way around it.
/// Repositories from before format 2 have none; the first backup written by this version adds it.
/// </summary>
public sealed class RepositoryDescriptor
{
    public const int CurrentFormat = 2;

    public int FormatVersion { get; set; } = CurrentFormat;
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>pg_control system identifiers of the clusters backed up here.</summary>
    public List<string> SystemIdentifiers { get; set; } = new();
    public bool Authenticated { get; set; }
    public DateTimeOffset? AuthenticatedSince { get; set; }

    /// <summary>The descriptor, or null for a repository that has none yet.</summary>
    public static RepositoryDescriptor? Read(IBackupRepository repository)
    {
        if (!repository.Exists(BackupLayout.DescriptorName)) return null;
        try
        {
            return JsonSerializer.Deserialize(repository.ReadAllBytes(BackupLayout.DescriptorName), RepositoryJson.Default.RepositoryDescriptor) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.DescriptorCorrupt,
                $"{repository.Location}/{BackupLayout.DescriptorName} cannot be read: {e.Message}", repository.Location, e);
        }
    }

    /// <summary>Before writing into a repository: refuses one written by a newer, unknown format.</summary>
    public static RepositoryDescriptor? CheckWritable(IBackupRepository repository)
    {
        var descriptor = Read(repository);
        if (descriptor is not null && descriptor.FormatVersion > CurrentFormat)
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RepositoryFormatTooNew,
                $"Repository {repository.Location} has format {descriptor.FormatVersion}, written by {descriptor.CreatedBy}; this version writes format {CurrentFormat} and must not add to it. Upgrade ShippyarDr.", repository.Location);
        return descriptor;
    }

    /// <summary>Creates the descriptor or records what is new in it (a cluster, authentication); writes only on change.</summary>
    public static void Record(IBackupRepository repository, string? systemIdentifier, bool authenticated)
    {
        var descriptor = CheckWritable(repository);
        var changed = descriptor is null;
        descriptor ??= new RepositoryDescriptor
        {
            CreatedBy = $"ShippyarDr {typeof(RepositoryDescriptor).Assembly.GetName().Version?.ToString(3)}", CreatedAt = DateTimeOffset.UtcNow,
        };
        if (systemIdentifier is not null && !descriptor.SystemIdentifiers.Contains(systemIdentifier))
        {
            descriptor.SystemIdentifiers.Add(systemIdentifier);
            changed = true;
        }
        if (authenticated && !descriptor.Authenticated)
        {
            (descriptor.Authenticated, descriptor.AuthenticatedSince) = (true, DateTimeOffset.UtcNow);
            changed = true;
        }
        if (changed) repository.WriteAtomically(BackupLayout.DescriptorName, JsonSerializer.SerializeToUtf8Bytes(descriptor, RepositoryJson.Default.RepositoryDescriptor), replace: true);
    }
}
