using ShippyarDr.Diagnostics;
using ShippyarDr.Repository.S3;

namespace ShippyarDr.Configuration;

/// <summary>
/// The named repositories both hosts share (the cmdlets, and the shippyar-dr CLI that archive_command runs with no
/// session and no parameters). With SHIPPYAR_CONFIG set, the file it names is the whole configuration; otherwise
/// the user's file and the machine file are read, and a user's entry replaces a machine entry of the same name (the
/// user's default, when set, wins too). Every file is checked before it is trusted (see ConfigurationFile).
/// </summary>
public sealed class RepositoryRegistry
{
    private List<ConfigurationFile> _files = new();

    private RepositoryRegistry(ConfigurationPaths paths) => Paths = paths;

    public ConfigurationPaths Paths { get; }

    /// <summary>Reads the configuration (<see cref="ConfigurationPaths.FromEnvironment"/> unless given other paths).</summary>
    public static RepositoryRegistry Load(ConfigurationPaths? paths = null)
    {
        var registry = new RepositoryRegistry(paths ?? ConfigurationPaths.FromEnvironment());
        registry.Reload();
        return registry;
    }

    private void Reload()
    {
        var files = new List<ConfigurationFile>();
        if (Paths.Override is { } single) files.Add(ConfigurationFile.Read(single, ConfigurationScope.Environment));
        else
        {
            // Precedence order: the user's entries first.
            if (Paths.User is { } user) files.Add(ConfigurationFile.Read(user, ConfigurationScope.User));
            if (Paths.Machine is { } machine && machine != Paths.User) files.Add(ConfigurationFile.Read(machine, ConfigurationScope.Machine));
        }
        _files = files;
    }

    /// <summary>The repositories in effect, by name; with <paramref name="scope"/>, every entry of that scope's file
    /// (including one a user's entry of the same name hides).</summary>
    public IReadOnlyList<RegisteredRepository> List(ConfigurationScope? scope = null)
    {
        var defaultEntry = DefaultEntry();
        IEnumerable<(RepositoryRegistration Entry, ConfigurationFile File)> entries = scope is { } s
            ? _files.Where(f => f.Scope == s).SelectMany(f => f.Repositories.Select(r => (r, f)))
            : Effective();
        return entries.OrderBy(e => e.Entry.Name, StringComparer.OrdinalIgnoreCase)
            .Select(e => new RegisteredRepository(e.Entry, e.File.Scope, e.File.Path,
                defaultEntry is { } d && ReferenceEquals(d.Entry, e.Entry)))
            .ToList();
    }

    /// <summary>The repository in effect under <paramref name="name"/> (names ignore case); null when none is.</summary>
    public RegisteredRepository? Find(string name) => List().FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The repository registered as <paramref name="name"/> (in effect, or in <paramref name="scope"/>'s file);
    /// RepositoryNameUnknown, listing the registered names, when none is.</summary>
    public RegisteredRepository Get(string name, ConfigurationScope? scope = null)
        => (scope is { } s ? List(s).FirstOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) : Find(name))
           ?? throw Unknown(name, null, scope);

    /// <summary>The default repository; null when no file names one.</summary>
    public RegisteredRepository? Default => DefaultEntry() is { } d ? Find(d.Entry.Name) : null;

    /// <summary>
    /// What a host was given as a repository (-Repository, --repository), as settings to open it with:
    /// <list type="bullet">
    /// <item>a URL (s3://…) is that location;</item>
    /// <item>a registered name is that repository, unless a file or directory of that name exists: a path that exists
    /// wins (a warning says so), so adding a registration never changes what an existing script's path means;</item>
    /// <item>anything else is a directory path (<paramref name="fullPath"/> makes it absolute, as the host resolves paths),
    /// except a bare name that is neither registered nor an existing path: RepositoryNameUnknown.</item>
    /// </list>
    /// A location that is registered (given as its URL or path, or as BackupInfo.Repository piped on) gets the
    /// registration's settings as its name would.
    /// </summary>
    public RepositorySettings Resolve(string nameOrLocation, Func<string, string>? fullPath = null, IOperationReporter? reporter = null)
    {
        if (string.IsNullOrWhiteSpace(nameOrLocation))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidRepository, "Repository must not be empty.");
        if (nameOrLocation.Contains("://", StringComparison.Ordinal))
        {
            // Other schemes are refused by name when opened (RepositoryFactory).
            if (!S3Location.IsS3(nameOrLocation)) return new RepositorySettings(nameOrLocation, null);
            var url = S3Location.Parse(nameOrLocation).ToString();
            return new RepositorySettings(url, ByLocation(url));
        }
        var path = Path.TrimEndingDirectorySeparator((fullPath ?? Path.GetFullPath)(nameOrLocation));
        var exists = Directory.Exists(path) || File.Exists(path);
        var named = RegistrationRules.IsValidName(nameOrLocation) ? Find(nameOrLocation) : null;
        if (named is not null && !exists) return new RepositorySettings(named.Location, named);
        if (named is not null)
            reporter?.Warning($"'{nameOrLocation}' is a registered repository ({named.Location}) and also an existing path here ({path}); the path is used. "
                              + "Give the path as ./" + nameOrLocation + " to say so, or run from another directory to use the registered repository.");
        else if (!exists && IsBareName(nameOrLocation)) throw Unknown(nameOrLocation, path);
        return new RepositorySettings(path, ByLocation(path));
    }

    /// <summary>
    /// The registered repository <paramref name="name"/>, or the default one when no name is given (NoDefaultRepository
    /// without one): for a host that takes names only, such as archive_command, which runs in the data directory, where
    /// a path interpretation of "base" or "global" would name PostgreSQL's own folders.
    /// </summary>
    public RepositorySettings Named(string? name)
    {
        var registered = string.IsNullOrEmpty(name)
            ? Default ?? throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.NoDefaultRepository,
                $"No repository was named and none is registered as the default ({Describe()}).")
            : Get(name);
        return new RepositorySettings(registered.Location, registered);
    }

    /// <summary>
    /// What a host that runs in a directory it did not choose was given (archive_command and restore_command run in
    /// the data directory): nothing (the default repository), a registered name (a bare word is always a name), an
    /// absolute path or an s3:// URL (with the registration's settings when that location is registered). A relative
    /// path is RepositoryPathRelative: read against the data directory it would name PostgreSQL's own folders.
    /// </summary>
    public RepositorySettings ResolveUnattended(string? nameOrLocation, IOperationReporter? reporter = null)
    {
        if (string.IsNullOrEmpty(nameOrLocation)) return Named(null);
        if (nameOrLocation.Contains("://", StringComparison.Ordinal) || Path.IsPathFullyQualified(nameOrLocation)) return Resolve(nameOrLocation, reporter: reporter);
        if (!LooksLikePath(nameOrLocation)) return Named(nameOrLocation);
        throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.RepositoryPathRelative,
            $"'{nameOrLocation}' is a relative path, and this command runs in the data directory, where it would mean something else: "
            + "give a registered repository's name, an absolute path or an s3:// URL.", nameOrLocation);
    }

    /// <summary>A path or URL rather than a name: what must never stand in for a registered name.</summary>
    public static bool LooksLikePath(string value) => value.Contains('/') || value.Contains('\\') || value.Contains("://", StringComparison.Ordinal)
        || value is "." or ".." || value.StartsWith('~') || Path.IsPathFullyQualified(value);

    /// <summary>
    /// Adds (or with <paramref name="replace"/> replaces) a registration in the file of <paramref name="scope"/>: Machine
    /// is written 0640 with group postgres, User 0600. With SHIPPYAR_CONFIG set, that file is written instead: Machine
    /// makes it 0640 group postgres, User gives a new file 0600 and leaves an existing one's mode and group as they are.
    /// The registration is checked, and the files it names are opened, before anything is written.
    /// </summary>
    public RegisteredRepository Register(RepositoryRegistration registration, ConfigurationScope scope = ConfigurationScope.User,
        bool replace = false, bool makeDefault = false, IOperationReporter? reporter = null)
    {
        reporter ??= NullReporter.Instance;
        if (scope == ConfigurationScope.Environment && Paths.Override is null)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ConfigurationInvalid,
                $"The Environment scope is the file {ConfigurationPaths.Variable} names, and {ConfigurationPaths.Variable} is not set.");
        var entry = RegistrationRules.Check(registration);
        RegistrationRules.CheckReferencedFiles(entry, reporter);
        var path = FileOf(scope);
        // The SHIPPYAR_CONFIG file, once it exists, is never narrowed by a later registration (it may be archive_command's);
        // Machine still makes it readable by group postgres.
        ConfigurationScope? policy = Paths.Override is null || scope == ConfigurationScope.Machine ? scope : File.Exists(path) ? null : scope;
        ConfigurationFile.Change(path, FileScope(scope), policy, file =>
        {
            var existing = file.Find(entry.Name);
            if (existing is not null && !replace)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RepositoryAlreadyRegistered,
                    $"A repository named '{existing.Name}' is registered already in {path} ({existing.Location}). Replace it explicitly, or choose another name.", entry.Name);
            if (file.Repositories.FirstOrDefault(r => r.Location == entry.Location && !r.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase)) is { } same)
                throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.RepositoryLocationRegistered,
                    $"{entry.Location} is registered already as '{same.Name}' in {path}; one location has one name (a backup read from it must find one set of settings).", entry.Location);
            var others = file.Repositories.Where(r => !r.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase));
            return file.With(others.Append(entry), makeDefault ? entry.Name : file.Default);
        }, reporter);
        Reload();
        return List(FileScope(scope)).First(r => r.Name.Equals(entry.Name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Removes a registration: from <paramref name="scope"/>'s file, or from the file the repository in effect
    /// comes from. Removing the default leaves that file without one. Returns what was removed.</summary>
    public RegisteredRepository Unregister(string name, ConfigurationScope? scope = null, IOperationReporter? reporter = null)
    {
        var target = Get(name, scope);
        ConfigurationFile.Change(target.ConfigurationFile, target.Scope, null, file =>
        {
            var entry = file.Find(name) ?? throw Unknown(name, null, target.Scope);
            var isDefault = file.Default is { } d && d.Equals(entry.Name, StringComparison.OrdinalIgnoreCase);
            return file.With(file.Repositories.Where(r => !ReferenceEquals(r, entry)), isDefault ? null : file.Default);
        }, reporter ?? NullReporter.Instance);
        Reload();
        return target;
    }

    private IEnumerable<(RepositoryRegistration Entry, ConfigurationFile File)> Effective()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in _files)
            foreach (var entry in file.Repositories)
                if (seen.Add(entry.Name)) yield return (entry, file);
    }

    /// <summary>The first file that names a default decides it; a default naming no repository in effect is an error of that file.</summary>
    private (RepositoryRegistration Entry, ConfigurationFile File)? DefaultEntry()
    {
        var file = _files.FirstOrDefault(f => f.Default is not null);
        if (file is null) return null;
        foreach (var e in Effective())
            if (e.Entry.Name.Equals(file.Default, StringComparison.OrdinalIgnoreCase)) return e;
        throw ConfigurationJson.Invalid(file.Path, $"its default '{file.Default}' is not a registered repository.");
    }

    /// <summary>A registered location is found by it, user entries first.</summary>
    private RegisteredRepository? ByLocation(string location)
        => List().Where(r => r.Location == location).OrderBy(r => r.Scope == ConfigurationScope.Machine ? 1 : 0).FirstOrDefault();

    private string FileOf(ConfigurationScope scope) => Paths.PathOf(scope)
        ?? throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.ConfigurationWriteFailed,
            $"There is no {scope.ToString().ToLowerInvariant()} configuration file: neither XDG_CONFIG_HOME nor HOME is set.");

    private ConfigurationScope FileScope(ConfigurationScope scope) => Paths.Override is null ? scope : ConfigurationScope.Environment;

    /// <summary>A word, not a path: nothing that separates directories, no leading '.' or '~'.</summary>
    private static bool IsBareName(string value) => RegistrationRules.IsValidName(value) && !value.Contains('/') && !value.Contains('\\');

    private string Describe()
    {
        var names = List().Select(r => r.Name).ToList();
        var files = Paths.Override is { } o ? o : string.Join(" and ", new[] { Paths.User, Paths.Machine }.Where(p => p is not null));
        return names.Count == 0 ? $"none is registered in {files}" : $"registered in {files}: {string.Join(", ", names)}";
    }

    private ShippyarException Unknown(string name, string? path, ConfigurationScope? scope = null) => new(ShippyarErrorKind.ObjectNotFound, ErrorIds.RepositoryNameUnknown,
        $"'{name}' is not a registered repository{(scope is { } s ? $" in the {s.ToString().ToLowerInvariant()} scope" : "")}"
        + (path is null ? "" : $", and {path} does not exist") + $" ({Describe()}).", name);
}
