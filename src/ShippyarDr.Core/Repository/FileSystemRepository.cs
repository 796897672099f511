using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>
/// A directory on a local or mounted filesystem. Files are created 0640 and directories 0750 (narrowed further by a
/// stricter umask, never widened): never world-readable, readable by the owner's group, so a backup operators' group
/// can share a repository. Symbolic links inside the repository are neither listed nor followed, and entries it cannot
/// read (lost+found on a mount point) are passed over.
/// </summary>
public sealed class FileSystemRepository : IBackupRepository
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true, IgnoreInaccessible = true, ReturnSpecialDirectories = false,
        // Hidden: our temp files start with a dot. ReparsePoint: symbolic links, never followed out of the repository.
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint,
    };

    private static readonly EnumerationOptions OneLevel = new()
    {
        RecurseSubdirectories = false, IgnoreInaccessible = true, ReturnSpecialDirectories = false,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint,
    };

    public FileSystemRepository(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        // A missing directory is far more often an unmounted backup volume or a typo than a wish to start
        // a new repository in a surprising place: refuse rather than fill the root filesystem.
        if (File.Exists(Root))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RepositoryNotADirectory, $"Repository {Root} is a file, not a directory.", Root);
        if (!Directory.Exists(Root))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.RepositoryNotFound,
                $"Repository directory {Root} does not exist. Create it first, or check that its volume is mounted.", Root);
    }

    public string Root { get; }
    public string Location => Root;

    /// <summary>The path of a key, refusing keys that climb out of the root and symbolic links on the way.</summary>
    private string PathOf(string key)
    {
        var segments = key.TrimEnd('/').Split('/');
        if (key.Length == 0 || key.StartsWith('/') || key.Contains('\0') || segments.Any(s => s is "" or "." or ".."))
            throw InvalidKey(key, "it is not a relative path inside the repository");
        var path = Root;
        foreach (var segment in segments)
        {
            path = Path.Combine(path, segment);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
                throw InvalidKey(key, $"{path} is a symbolic link, and links are not followed out of the repository");
        }
        return path;
    }

    private static ShippyarException InvalidKey(string key, string why)
        => new(ShippyarErrorKind.InvalidData, ErrorIds.InvalidKey, $"'{key}' cannot be used: {why}.", key);

    /// <summary>Creates the folders above a key one level at a time: .NET gives the mode only to the last one it creates.</summary>
    private void CreateParent(string path)
    {
        var parent = Path.GetDirectoryName(path)!;
        if (Directory.Exists(parent)) return;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(parent);
            return;
        }
        var missing = new Stack<string>();
        for (var dir = parent; dir.Length > Root.Length && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir)!) missing.Push(dir);
        foreach (var dir in missing) Directory.CreateDirectory(dir, DirectoryMode);
    }

    public Stream Create(string key)
    {
        var path = PathOf(key);
        CreateParent(path);
        try
        {
            return new DurableFileStream(path, FileMode);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ObjectExists, $"{path} already exists; backups are never overwritten.", path, e);
        }
    }

    public Stream OpenRead(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.BackupFileMissing, $"{path} is missing from the repository.", path);
        return new FileStream(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
    }

    public bool Exists(string key) => File.Exists(PathOf(key));

    public void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false)
    {
        var path = PathOf(key);
        CreateParent(path);
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():n}");
        try
        {
            using (var f = new DurableFileStream(temp, FileMode)) f.Write(content);
            // Without replace the move refuses an existing target atomically (a link, not a check then a rename).
            try { File.Move(temp, path, overwrite: replace); }
            catch (IOException e) when (!replace && File.Exists(path))
            {
                throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ObjectExists, $"{path} already exists and is never overwritten.", path, e);
            }
        }
        finally
        {
            File.Delete(temp);
        }
        DirectorySync.FlushParents(path, Root);
    }

    public IPendingObject CreateAtomically(string key)
    {
        var path = PathOf(key);
        CreateParent(path);
        return new FileSystemPendingObject(path, Root, FileMode);
    }

    public IEnumerable<string> ListStartingWith(string folder, string namePrefix)
    {
        var dir = PathOf(folder.TrimEnd('/'));
        if (!Directory.Exists(dir)) return Enumerable.Empty<string>();
        // A filter of our own rather than a search pattern: names may hold characters the pattern syntax reads.
        return new DirectoryInfo(dir).EnumerateFiles("*", OneLevel)
            .Where(f => f.Name.StartsWith(namePrefix, StringComparison.Ordinal)).Select(f => RelativeKey(f.FullName));
    }

    public IEnumerable<string> List(string prefix)
    {
        var dir = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(dir)) return Enumerable.Empty<string>();
        return Directory.EnumerateFiles(dir, "*", Walk).Select(RelativeKey);
    }

    public IEnumerable<string> ListChildren(string prefix)
    {
        var dir = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(dir)) return Enumerable.Empty<string>();
        return new DirectoryInfo(dir).EnumerateFileSystemInfos("*", OneLevel)
            .Select(e => e is DirectoryInfo ? e.Name + "/" : e.Name);
    }

    private string RelativeKey(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    public void Delete(string key)
    {
        var path = PathOf(key);
        // File.Delete ignores a missing file but not a missing folder (one emptied and removed by an earlier delete).
        if (!Directory.Exists(Path.GetDirectoryName(path))) return;
        File.Delete(path);
        // Folders left empty go too, up to the repository root; one still in use (a concurrent writer) stays.
        for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > Root.Length; dir = Path.GetDirectoryName(dir))
        {
            try { Directory.Delete(dir, recursive: false); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { break; }
        }
    }

    /// <summary>One file at a time: a directory has no batch delete to gain from.</summary>
    public void DeleteMany(IEnumerable<string> keys)
    {
        foreach (var key in keys) Delete(key);
    }

    public void DeletePrefix(string prefix)
    {
        var path = PathOf(prefix.TrimEnd('/'));
        // A recursive delete removes links inside it, never what they point to.
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (File.Exists(path)) File.Delete(path);
    }
}
