using ShippyarDr.Diagnostics;

namespace ShippyarDr.Physical.Tar;

/// <summary>
/// Writes a tar archive's members under a directory as it reads them (nothing staged): files 0600 and directories
/// 0700, as PostgreSQL wants its data directory, whatever modes the archive records. A member must stay inside the
/// directory: absolute paths, "..", and paths through a symbolic link the archive itself made are refused, so an archive
/// cannot write outside it. Regular files, directories and symbolic links only (what base backups hold).
/// </summary>
internal sealed class TarExtractor(string root, string where)
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly HashSet<string> _links = new(StringComparer.Ordinal);

    public long Files { get; private set; }
    public long Bytes { get; private set; }

    /// <summary>Every member of <paramref name="reader"/>; <paramref name="replace"/> may give other content for a file (tablespace_map).</summary>
    public void ExtractAll(TarReader reader, Func<TarHeader, byte[]?>? replace, CancellationToken cancel)
    {
        var buffer = new byte[1 << 20];
        while (reader.Next() is { } member)
        {
            cancel.ThrowIfCancellationRequested();
            var (path, normalized) = Target(member.Name);
            if (member.IsDirectory)
            {
                CreateDirectory(path);
                continue;
            }
            CreateDirectory(Path.GetDirectoryName(path)!);
            if (member.IsSymbolicLink)
            {
                File.CreateSymbolicLink(path, member.LinkName);
                _links.Add(normalized);
                continue;
            }
            if (!member.IsFile)
                throw TarHeader.Corrupt(where, $"{member.Name} is of type '{member.Type}', which a base backup does not hold");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode0600;
            using (var output = new FileStream(path, options))
            {
                if (replace?.Invoke(member) is { } content)
                {
                    output.Write(content);
                    Bytes += content.Length;
                }
                else
                {
                    int n;
                    while ((n = reader.ReadData(buffer)) > 0)
                    {
                        output.Write(buffer, 0, n);
                        Bytes += n;
                    }
                }
            }
            Files++;
        }
    }

    /// <summary>Creates a directory (and its missing parents) 0700.</summary>
    public static void CreateDirectory(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, DirectoryMode0700);
    }

    /// <summary>Where a member goes, and its path without "." parts (how links are remembered).</summary>
    private (string Path, string Normalized) Target(string name)
    {
        // The server names some directories "./pg_wal/…"; "." adds nothing, ".." would climb.
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (name.StartsWith('/') || parts.Length == 0 || parts.Any(p => p == ".." || p.Contains('\\')))
            throw Refused(name, "its path leaves the directory");
        for (var i = 1; i < parts.Length; i++)
            if (_links.Contains(string.Join('/', parts[..i])))
                throw Refused(name, "its path runs through a symbolic link the archive created");
        return (Path.Combine(new[] { root }.Concat(parts).ToArray()), string.Join('/', parts));
    }

    private ShippyarException Refused(string name, string why) => new(ShippyarErrorKind.InvalidData, ErrorIds.TarCorrupt,
        $"{where} holds the member '{name}', which is not extracted: {why}.", name);
}
