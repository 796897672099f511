using System.Diagnostics;
using System.Text;
using ShippyarDr.Authentication;
using ShippyarDr.Diagnostics;
using ShippyarDr.Physical.Tar;
using ShippyarDr.Pipeline;
using ShippyarDr.Repository;

namespace ShippyarDr.Physical;

/// <summary>
/// Restores a base backup's files into a data directory, streamed from the repository (decrypted, decompressed and
/// checked chunk by chunk on the way; nothing staged): each tablespace's tar into its place, pg_wal.tar, then base.tar,
/// whose pg_control comes last, so a restore cut short never leaves a directory that looks complete. backup_label is
/// kept byte for byte; tablespace_map is rewritten to name the new places. Files are 0600, directories 0700, and all of
/// it belongs to the server's OS account. A failed restore removes what it wrote. The result is a data directory that
/// reaches the backup's stop position with its own WAL when a server starts on it (no restore_command needed);
/// point-in-time recovery adds recovery.signal and its settings before starting it (see Cluster/).
/// </summary>
public sealed class BaseBackupRestore
{
    private readonly IOperationReporter _reporter;

    public BaseBackupRestore(IOperationReporter? reporter = null) => _reporter = reporter ?? NullReporter.Instance;

    /// <summary>Checks the backup's authenticity, then restores it.</summary>
    public BaseBackupRestoreResult Run(BaseBackupRestoreRequest request, IBackupRepository repository, CancellationToken cancel = default)
    {
        var backup = BackupAuthenticator.Require(repository, request.Backup, request.Keys, _reporter);
        return Extract(backup, request, repository, cancel);
    }

    /// <summary>Restores a backup whose manifest the caller has already proven authentic.</summary>
    internal BaseBackupRestoreResult Extract(BackupInfo backup, BaseBackupRestoreRequest request, IBackupRepository repository, CancellationToken cancel)
    {
        var physical = backup.Physical ?? throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.NotAPhysicalBackup,
            $"Backup {backup.Id} is a logical backup (pg_dump archives): it restores into a server, not into a data directory.", backup.Id);
        var decryption = request.Keys.Decryption;
        foreach (var file in backup.Files) StoredObjectReader.RequireKey(file, decryption);
        var dataDirectory = Path.GetFullPath(request.DataDirectory);
        var places = physical.Tablespaces.ToDictionary(t => t.Oid,
            t => Path.GetFullPath(request.TablespaceLocations.TryGetValue(t.Oid, out var to) ? to : t.Location));
        foreach (var target in places.Values.Prepend(dataDirectory)) RequireEmpty(target);

        var clock = Stopwatch.StartNew();
        var activity = $"Restoring base backup {backup.Id} into {dataDirectory}";
        var created = new List<string>();
        long files = 0, bytes = 0;
        try
        {
            foreach (var tablespace in physical.Tablespaces)
                Unpack(backup, repository, decryption, tablespace.File, places[tablespace.Oid], created, null, activity, ref files, ref bytes, cancel);
            Unpack(backup, repository, decryption, physical.WalFile, dataDirectory, created, null, activity, ref files, ref bytes, cancel);
            var map = TablespaceMap(places);
            Unpack(backup, repository, decryption, physical.BaseFile, dataDirectory, created,
                m => m.Name == "tablespace_map" ? map : null, activity, ref files, ref bytes, cancel);
            foreach (var target in places.Values.Prepend(dataDirectory)) request.Owner.GiveOwnership(target);
        }
        catch
        {
            foreach (var path in created) Remove(path);
            throw;
        }
        _reporter.Verbose($"Base backup {backup.Id} restored into {dataDirectory}: {files} files, {bytes / 1048576.0:F1} MB in {clock.Elapsed.TotalSeconds:F1} s.");
        return new BaseBackupRestoreResult
        {
            BackupId = backup.Id, DataDirectory = dataDirectory, Tablespaces = places, Files = files, Bytes = bytes, Duration = clock.Elapsed,
        };
    }

    /// <summary>tablespace_map as PostgreSQL writes it: "oid path" per line, newlines, carriage returns and backslashes in the path escaped.</summary>
    public static byte[] TablespaceMap(IReadOnlyDictionary<uint, string> places)
    {
        var sb = new StringBuilder();
        foreach (var (oid, path) in places.OrderBy(p => p.Key))
        {
            sb.Append(oid).Append(' ');
            foreach (var c in path)
            {
                if (c is '\n' or '\r' or '\\') sb.Append('\\');
                sb.Append(c);
            }
            sb.Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private void Unpack(BackupInfo backup, IBackupRepository repository, IDecryptionStage? decryption, string fileName, string target, List<string> created,
        Func<TarHeader, byte[]?>? replace, string activity, ref long files, ref long bytes, CancellationToken cancel)
    {
        var file = DatabaseUnit.OneFile(backup, f => f.Name == fileName, $"the archive {fileName}");
        _reporter.Progress(activity, $"{file.Name} into {target}");
        if (!Directory.Exists(target))
        {
            TarExtractor.CreateDirectory(target);
            created.Add(target);
        }
        else if (!created.Contains(target)) created.Add(target + Path.DirectorySeparatorChar); // existed empty: its contents go on failure, not it
        using var archive = new StoredObjectReader(repository, backup, file, decryption);
        var extractor = new TarExtractor(target, $"{archive.Where}");
        try
        {
            extractor.ExtractAll(new TarReader(archive, archive.Where), replace, cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException && archive.Damage(backup.Id, e, cancel) is { } damage)
        {
            throw damage;
        }
        if (archive.Damage(backup.Id, cancel: cancel) is { } damaged) throw damaged;
        files += extractor.Files;
        bytes += extractor.Bytes;
    }

    private static void RequireEmpty(string path)
    {
        if (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RestoreTargetNotEmpty,
                $"{path} is not empty: a base backup is restored only into an empty or new directory.", path);
    }

    private static void Remove(string path)
    {
        try
        {
            if (path.EndsWith(Path.DirectorySeparatorChar))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(path))
                    if (Directory.Exists(entry) && !new FileInfo(entry).Attributes.HasFlag(FileAttributes.ReparsePoint)) Directory.Delete(entry, true);
                    else File.Delete(entry);
            }
            else if (Directory.Exists(path)) Directory.Delete(path, true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
