using ShippyarDr.Diagnostics;

namespace ShippyarDr.Configuration;

/// <summary>
/// Where the configuration files are. SHIPPYAR_CONFIG, when set, names the only file used (read and written); otherwise
/// the machine file and the user's file are both read, the user's entries winning by name.
/// </summary>
public sealed record ConfigurationPaths(string? Machine, string? User, string? Override = null)
{
    public const string Variable = "SHIPPYAR_CONFIG";
    public const string FileName = "repositories.json";

    /// <summary>The paths this process uses: SHIPPYAR_CONFIG, XDG_CONFIG_HOME and HOME as they are now.</summary>
    public static ConfigurationPaths FromEnvironment()
    {
        var overridden = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(overridden))
        {
            // archive_command runs in the data directory: a relative path would mean something else there.
            if (!Path.IsPathFullyQualified(overridden))
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.PathNotAbsolute,
                    $"{Variable} must be an absolute path (it is '{overridden}').", overridden);
            return new ConfigurationPaths(null, null, overridden);
        }
        return new ConfigurationPaths(MachineDefault(), UserDefault());
    }

    /// <summary>The file of a scope; with an override, every scope means the override.</summary>
    public string? PathOf(ConfigurationScope scope) => Override ?? scope switch
    {
        ConfigurationScope.Machine => Machine,
        ConfigurationScope.User => User,
        _ => null,
    };

    private static string MachineDefault() => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "shippyar", FileName)
        : Path.Combine("/etc/shippyar", FileName);

    /// <summary>XDG_CONFIG_HOME (when absolute, as the XDG spec asks), else ~/.config; null without a home directory.</summary>
    private static string? UserDefault()
    {
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "shippyar", FileName);
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg)) return Path.Combine(xdg, "shippyar", FileName);
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".config", "shippyar", FileName);
    }

    /// <summary>
    /// Where audit records wait that their store did not take (Audit/AuditSpool): beside the file SHIPPYAR_CONFIG names;
    /// else the user's state directory (XDG_STATE_HOME, else ~/.local/state; LocalApplicationData on Windows); without a
    /// home directory, /var/lib/shippyar.
    /// </summary>
    public static string AuditSpoolDirectory()
    {
        const string folder = "audit-spool";
        var overridden = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(overridden) && Path.IsPathFullyQualified(overridden))
            return Path.Combine(Path.GetDirectoryName(overridden)!, folder);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "shippyar", folder);
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg)) return Path.Combine(xdg, "shippyar", folder);
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? Path.Combine("/var/lib/shippyar", folder) : Path.Combine(home, ".local", "state", "shippyar", folder);
    }
}
