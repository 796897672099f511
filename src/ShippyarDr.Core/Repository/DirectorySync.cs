using System.Runtime.InteropServices;

namespace ShippyarDr.Repository;

/// <summary>
/// fsync of a directory: a rename (or a new file) is on disk only once its directory is (POSIX leaves it to the
/// application; pgBackRest and PostgreSQL itself do the same). .NET cannot open a directory as a stream, hence libc.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;      // O_RDONLY
    private const int Directory = 0x10000; // O_DIRECTORY on Linux (x86-64 and arm64)

    /// <summary>A rename into <paramref name="path"/>'s folder is durable only once that folder is, and so is every folder
    /// above it up to <paramref name="root"/> (one a writer created may not be on disk yet).</summary>
    public static void FlushParents(string path, string root)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length >= root.Length; dir = Path.GetDirectoryName(dir))
            Flush(dir);
    }

    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0) throw new IOException($"Cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
