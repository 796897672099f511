using ShippyarDr.Diagnostics;

namespace ShippyarDr;

/// <summary>
/// One restorable database inside a backup: its archive file, what it held and the properties to recreate.
/// A Daily backup has one; a Weekly cluster backup has one per database.
/// </summary>
public sealed record DatabaseUnit(string Database, BackupFile File, IReadOnlyList<TableRowCount> Tables, IReadOnlyList<string> ForeignKeys,
    string? Owner, string? Encoding, string? Collation, string? CType)
{
    public static IReadOnlyList<DatabaseUnit> All(BackupInfo backup)
    {
        if (backup.Kind == BackupKind.Physical)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.NotALogicalBackup,
                $"Backup {backup.Id} is a physical base backup of the cluster: it restores into a data directory, not database by database into a server.", backup.Id);
        if (!backup.IsCluster)
        {
            var file = OneFile(backup, f => f.Format == "custom", "a custom-format archive");
            return new[] { new DatabaseUnit(backup.Database, file, backup.Tables, backup.ForeignKeys, backup.DatabaseOwner, backup.Encoding, backup.Collation, backup.CType) };
        }
        return backup.Databases.Select(d => new DatabaseUnit(d.Name, OneFile(backup, f => f.Name == d.File, $"the archive {d.File} of {d.Name}"), d.Tables, d.ForeignKeys,
            d.Owner, d.Encoding, d.Collation, d.CType)).ToList();
    }

    /// <summary>The one file of the manifest that matches; a hand-edited or damaged manifest may list none, or several.</summary>
    public static BackupFile OneFile(BackupInfo backup, Func<BackupFile, bool> match, string what)
    {
        var files = backup.Files.Where(match).Take(2).ToList();
        return files.Count == 1 ? files[0] : throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.ManifestCorrupt,
            $"The manifest of backup {backup.Id} in {backup.Repository} lists {(files.Count == 0 ? "no" : "more than one")} {what}.", backup.Id);
    }

    /// <summary>The unit of one database; the only one for single-database backups.</summary>
    public static DatabaseUnit Of(BackupInfo backup, string? database)
    {
        var units = All(backup);
        if (database is null)
            return units.Count == 1 ? units[0] : throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.SourceDatabaseRequired,
                $"Backup {backup.Id} holds {units.Count} databases ({string.Join(", ", units.Select(u => u.Database))}): name the one to restore.", backup.Id);
        return units.FirstOrDefault(u => u.Database == database) ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.DatabaseNotInBackup,
            $"Backup {backup.Id} holds no database '{database}' (it holds {string.Join(", ", units.Select(u => u.Database))}).", database);
    }
}
