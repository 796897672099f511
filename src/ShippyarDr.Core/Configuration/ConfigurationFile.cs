using ShippyarDr.Diagnostics;
using ShippyarDr.Repository;

namespace ShippyarDr.Configuration;

/// <summary>
/// One configuration file: read only when it can be trusted (ConfigurationTrust), written whole to a temp file that is
/// renamed over it (readers see the old file or the new one), under a lock so two writers never lose each other's change.
/// </summary>
internal sealed class ConfigurationFile
{
    private const UnixFileMode Writable = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    private const UnixFileMode OtherAny = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    /// <summary>The group of the OS user that runs PostgreSQL and so archive_command.</summary>
    public const string ServerGroup = "postgres";

    private ConfigurationFile(string path, ConfigurationScope scope, string? defaultName, IReadOnlyList<RepositoryRegistration> repositories)
    {
        Path = path;
        Scope = scope;
        Default = defaultName;
        Repositories = repositories;
    }

    public string Path { get; }
    public ConfigurationScope Scope { get; }
    public string? Default { get; }
    /// <summary>Sorted by name; names are unique ignoring case.</summary>
    public IReadOnlyList<RepositoryRegistration> Repositories { get; }

    public RepositoryRegistration? Find(string name) => Repositories.FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public ConfigurationFile With(IEnumerable<RepositoryRegistration> repositories, string? defaultName)
        => new(Path, Scope, defaultName, repositories.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList());

    /// <summary>The file at <paramref name="path"/>; an empty one when it does not exist.</summary>
    public static ConfigurationFile Read(string path, ConfigurationScope scope)
    {
        if (!File.Exists(path))
        {
            if (Directory.Exists(path)) throw ConfigurationJson.Invalid(path, "it is a directory, not a file.");
            return new ConfigurationFile(path, scope, null, Array.Empty<RepositoryRegistration>());
        }
        ConfigurationTrust.Check(path);
        byte[] content;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // A configuration file is small: anything this large is something else named by mistake.
            if (stream.Length > MaxSize) throw ConfigurationJson.Invalid(path, $"it is larger than {MaxSize / 1024} KiB.");
            content = new byte[stream.Length];
            stream.ReadExactly(content);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.ConfigurationUnreadable,
                $"Configuration file {path} cannot be read: permission denied for user {Environment.UserName}.", path, e);
        }
        catch (IOException e)
        {
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.ConfigurationUnreadable, $"Configuration file {path} cannot be read: {e.Message}", path, e);
        }
        var document = ConfigurationJson.Parse(content, path);
        var repositories = new List<RepositoryRegistration>();
        foreach (var (name, entry) in document.Repositories)
        {
            if (entry is null) throw ConfigurationJson.Invalid(path, $"repositories.{name} is null.");
            RepositoryRegistration checkedEntry;
            try { checkedEntry = RegistrationRules.Check(entry with { Name = name }); }
            catch (ShippyarException e) when (e.ErrorId != ErrorIds.SecretNotAllowed)
            {
                throw ConfigurationJson.Invalid(path, e.Message, e);
            }
            catch (ShippyarException e)
            {
                throw new ShippyarException(e.Kind, e.ErrorId, $"Configuration file {path}: {e.Message}", path, e);
            }
            if (repositories.Any(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                throw ConfigurationJson.Invalid(path, $"two repositories are named '{name}' (names are compared ignoring case).");
            if (repositories.FirstOrDefault(r => r.Location == checkedEntry.Location) is { } same)
                throw ConfigurationJson.Invalid(path, $"repositories '{same.Name}' and '{name}' have the same location {checkedEntry.Location}.");
            repositories.Add(checkedEntry);
        }
        if (document.Default is { } d && !RegistrationRules.IsValidName(d))
            throw ConfigurationJson.Invalid(path, $"default '{d}' is not a repository name.");
        return new ConfigurationFile(path, scope, null, Array.Empty<RepositoryRegistration>()).With(repositories, document.Default);
    }

    private const int MaxSize = 1024 * 1024;

    /// <summary>
    /// Changes the file under its lock: reads it again (another writer may have changed it since), applies
    /// <paramref name="change"/>, and writes the result atomically. A new file gets the mode of <paramref name="policy"/>
    /// (Machine: 0640, group postgres; otherwise 0600); with a null policy an existing file keeps its group and mode.
    /// </summary>
    public static ConfigurationFile Change(string path, ConfigurationScope scope, ConfigurationScope? policy,
        Func<ConfigurationFile, ConfigurationFile> change, IOperationReporter reporter)
    {
        var real = RealPath(path);
        var directory = System.IO.Path.GetDirectoryName(real)!;
        try
        {
            CreateDirectory(directory, policy ?? scope);
            using var writeLock = Lock(real);
            var changed = change(Read(path, scope));
            var content = ConfigurationJson.Serialize(new ConfigurationDocument
            {
                Default = changed.Default, Repositories = changed.Repositories.ToDictionary(r => r.Name, r => r),
            });
            Write(real, content, policy, reporter);
            return changed;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.ConfigurationWriteFailed,
                $"Configuration file {path} cannot be written: permission denied for user {Environment.UserName}.", path, e);
        }
        catch (IOException e)
        {
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ConfigurationWriteFailed, $"Configuration file {path} cannot be written: {e.Message}", path, e);
        }
    }

    private static void Write(string real, byte[] content, ConfigurationScope? policy, IOperationReporter reporter)
    {
        var directory = System.IO.Path.GetDirectoryName(real)!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(real)}.tmp-{Guid.NewGuid():n}");
        var existing = File.Exists(real) && !OperatingSystem.IsWindows() ? FileOwnership.Stat(real) : null;
        try
        {
            // Created readable by its owner only; widened to its final mode once it has its final group.
            using (var stream = new DurableFileStream(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite)) stream.Write(content);
            if (!OperatingSystem.IsWindows())
            {
                UnixFileMode mode;
                if (policy is null && existing is { } keep)
                {
                    FileOwnership.TryChangeGroup(temp, keep.Gid);
                    mode = keep.Mode & ~(Writable | OtherAny | UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit);
                }
                else if (policy == ConfigurationScope.Machine)
                {
                    mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
                    if (FileOwnership.GroupId(ServerGroup) is not { } gid || !FileOwnership.TryChangeGroup(temp, gid))
                        reporter.Warning($"{real} could not be given to group {ServerGroup}: the {ServerGroup} OS user (archive_command) may not be able to read it. "
                                         + $"As root: chgrp {ServerGroup} {real}");
                }
                else
                {
                    mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                File.SetUnixFileMode(temp, mode);
            }
            File.Move(temp, real, overwrite: true);
            DirectorySync.Flush(directory);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The machine directory is readable by everyone (it sits in /etc beside other configuration); a user's is theirs alone.</summary>
    private static void CreateDirectory(string directory, ConfigurationScope scope)
    {
        if (Directory.Exists(directory)) return;
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(directory); return; }
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (scope == ConfigurationScope.Machine) mode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(directory, mode);
    }

    /// <summary>An exclusive lock on a file beside the configuration (the configuration itself is replaced by renames, so
    /// a lock on it would be on a file nobody opens any more). Waits up to 10 s for another writer.</summary>
    private static FileStream Lock(string real)
    {
        var lockPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(real)!, $".{System.IO.Path.GetFileName(real)}.lock");
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try { return new FileStream(lockPath, options); }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(lockPath)) { Thread.Sleep(50); }
        }
    }

    internal static string RealPath(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : full;
    }
}
