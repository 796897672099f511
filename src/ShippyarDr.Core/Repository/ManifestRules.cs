using ShippyarDr.Backup;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>
/// What a manifest must agree with before anything it says is used: the folder it was found in (id, database or
/// cluster) and plain file names for every object it names, so a changed manifest cannot point a reader at another
/// backup, another bucket or a path outside the repository.
/// </summary>
internal static class ManifestRules
{
    private const int MinChunk = 64 * 1024;
    private const int MaxChunk = 64 * 1024 * 1024;

    private static readonly HashSet<string> FolderFiles = new(StringComparer.Ordinal)
        { BackupLayout.ManifestName, BackupLayout.SignatureName, BackupLayout.MacName, BackupLayout.LeaseName };

    public static void Check(BackupInfo info, BackupKey folder, string where)
    {
        if (!BackupId.IsValid(info.Id) || info.Id != folder.Id)
            throw Invalid(where, $"it describes backup '{info.Id}' but sits in the folder of {folder.Id}");
        if (folder.IsCluster != info.IsCluster)
            throw Invalid(where, info.IsCluster ? "it describes a cluster backup in a database's folder" : "it describes a single-database backup in the cluster folder");
        if (!folder.IsCluster && info.Database != folder.Database)
            throw Invalid(where, $"it describes database '{info.Database}' but sits in the folder of '{folder.Database}'");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in info.Files)
        {
            if (!BackupLayout.IsFileName(file.Name) || FolderFiles.Contains(file.Name) || !names.Add(file.Name))
                throw Invalid(where, $"it names the file '{file.Name}', which is not a plain, distinct file name of a backup");
            if (file.Chunks is { } chunks && chunks.File != BackupLayout.ChunksName(file.Name))
                throw Invalid(where, $"the chunk digests of {file.Name} are named '{chunks.File}'");
            // A reader holds one chunk in memory: its size, and the count that covers the file, are what a writer makes.
            if (file.Chunks is { } list && (list.Size is < MinChunk or > MaxChunk || file.Size < 0
                    || list.Count != (file.Size + list.Size - 1) / list.Size))
                throw Invalid(where, $"the chunks of {file.Name} ({list.Count} of {list.Size} bytes) do not cover its {file.Size} bytes");
        }
        if ((info.Kind == BackupKind.Physical) != (info.Tier == BackupTier.Base) || (info.Kind == BackupKind.Physical) != (info.Physical is not null))
            throw Invalid(where, $"it describes a {info.Kind.ToString().ToLowerInvariant()} {info.Tier} backup{(info.Physical is null ? "" : " with a physical part")}, which no writer makes");
        if (info.Physical is { } physical)
        {
            var parts = new[] { physical.BaseFile, physical.WalFile, physical.ManifestFile }.Concat(physical.Tablespaces.Select(t => t.File)).ToList();
            if (parts.Any(p => !names.Contains(p)) || parts.Distinct(StringComparer.Ordinal).Count() != parts.Count)
                throw Invalid(where, "its physical part names files the backup does not hold, or one file twice");
            if (physical.Tablespaces.Select(t => t.Oid).Distinct().Count() != physical.Tablespaces.Count)
                throw Invalid(where, "it names a tablespace twice");
            if (info.Databases.Count > 0) throw Invalid(where, "a physical backup lists logical databases");
        }
        foreach (var database in info.Databases)
        {
            if (!DatabaseName.IsValid(database.Name))
                throw Invalid(where, $"it names the database '{database.Name}', which PostgreSQL cannot have");
            if (!names.Contains(database.File))
                throw Invalid(where, $"database '{database.Name}' refers to '{database.File}', which the backup does not hold");
        }
    }

    private static ShippyarException Invalid(string where, string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.ManifestInvalid,
        $"Manifest {where} cannot be trusted: {why}. It was changed or damaged; the backup is not used.", where);
}
