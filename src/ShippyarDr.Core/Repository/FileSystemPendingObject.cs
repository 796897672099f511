using ShippyarDr.Diagnostics;
using ShippyarDr.Streams;

namespace ShippyarDr.Repository;

/// <summary>
/// A new file written as PostgreSQL and pgBackRest write theirs: into a hidden temp file beside its final name (never
/// listed: the repository skips dot files), fsync'd, linked under the final name (a link refuses an existing name
/// atomically, so nothing is ever replaced), then the folders above it fsync'd. A crash at any point leaves either no
/// object or the whole one; a temp file it leaves is hidden and harmless.
/// </summary>
internal sealed class FileSystemPendingObject : IPendingObject
{
    private readonly string _path;
    private readonly string _root;
    private readonly string _temp;
    private readonly DurableFileStream _file;
    private bool _done;

    public FileSystemPendingObject(string path, string root, UnixFileMode mode)
    {
        (_path, _root) = (path, root);
        _temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():n}");
        _file = new DurableFileStream(_temp, mode);
        Content = new NonClosingStream(_file);
    }

    public Stream Content { get; }

    public void Publish()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        try
        {
            _file.Dispose(); // fsync: the data is on disk before any name points at it
            try { File.Move(_temp, _path, overwrite: false); }
            catch (IOException e) when (File.Exists(_path))
            {
                throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ObjectExists, $"{_path} already exists and is never overwritten.", _path, e);
            }
        }
        finally
        {
            File.Delete(_temp);
        }
        DirectorySync.FlushParents(_path, _root);
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        try { _file.Dispose(); }
        catch (IOException) { /* discarded anyway */ }
        File.Delete(_temp);
    }
}
