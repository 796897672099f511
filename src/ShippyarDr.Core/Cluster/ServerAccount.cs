using System.Diagnostics;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Cluster;

/// <summary>
/// The OS account that runs a PostgreSQL server and owns its data directory. PostgreSQL refuses to run as root: when
/// we are root (CI, containers, a restore run by an administrator) server programs run as an unprivileged account
/// (postgres unless another is named) through runuser, and the files they need are handed to it; otherwise they run
/// as we do, and our files are already theirs.
/// </summary>
public sealed class ServerAccount
{
    public const string DefaultName = "postgres";

    private ServerAccount(string name, bool switches)
    {
        Name = name;
        Switches = switches;
    }

    /// <summary>The account's user name.</summary>
    public string Name { get; }

    /// <summary>Whether programs start as another account (we are root) and files are handed over to it.</summary>
    public bool Switches { get; }

    // Environment.UserName is the effective user on Unix (geteuid + getpwuid).
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>postgres when we are root, else ourselves.</summary>
    public static ServerAccount Default => Named(null);

    /// <summary>
    /// The account named (null: the default). As root any existing account but root itself; otherwise only our own,
    /// since nothing else could start a server as another user.
    /// </summary>
    public static ServerAccount Named(string? name)
    {
        if (!IsRoot)
        {
            if (name is null || name == Environment.UserName) return new ServerAccount(Environment.UserName, false);
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ServerAccountUnavailable,
                $"Only root can run a PostgreSQL server as another OS account ('{name}'); this process runs as '{Environment.UserName}'.", name);
        }
        name ??= DefaultName;
        if (name == "root")
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.ServerAccountUnavailable,
                "PostgreSQL does not run as root: name an unprivileged OS account.", name);
        try { Run("id", "-u", name); }
        catch (InvalidOperationException)
        {
            throw new ShippyarException(ShippyarErrorKind.ObjectNotFound, ErrorIds.ServerAccountUnavailable,
                $"There is no OS account '{name}' to run the PostgreSQL server.", name);
        }
        return new ServerAccount(name, true);
    }

    /// <summary>The program and arguments that run <paramref name="program"/> as this account.</summary>
    public (string Program, IReadOnlyList<string> Arguments) Wrap(string program, IEnumerable<string> arguments)
        => Switches
            ? ("runuser", new[] { "-u", Name, "--", program }.Concat(arguments).ToList())
            : (program, arguments.ToList());

    /// <summary>Runs a program as this account and returns its stdout; InvalidOperationException with its stderr when it fails.</summary>
    public string RunAs(string program, params string[] arguments)
    {
        var (exe, argv) = Wrap(program, arguments);
        return Run(exe, argv.ToArray());
    }

    /// <summary>Hands <paramref name="path"/> and everything under it to this account (nothing to do when we are it).</summary>
    public void GiveOwnership(string path)
    {
        if (!Switches) return;
        Run("chown", "-R", $"{Name}:", path);
    }

    public override string ToString() => Name;

    internal static string Run(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({p.ExitCode}): {SecretRedactor.Redact(stderr.Trim())}");
        return stdout.Result;
    }
}
