using System.Diagnostics;

namespace ShippyarDr.Sandbox;

/// <summary>
/// The PostgreSQL server refuses to run as root. When we are root (CI, containers) server programs run as the
/// unprivileged `postgres` account through runuser, and the files they need are handed to that account.
/// </summary>
internal static class OsUser
{
    public const string ServerAccount = "postgres";

    // Environment.UserName is the effective user on Unix (geteuid + getpwuid).
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The program and arguments to run <paramref name="program"/> as the server account when needed.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) AsServerAccount(string program, IEnumerable<string> arguments)
        => IsRoot
            ? ("runuser", new[] { "-u", ServerAccount, "--", program }.Concat(arguments).ToList())
            : (program, arguments.ToList());

    public static void GiveToServerAccount(string path)
    {
        if (!IsRoot) return;
        Run("chown", "-R", $"{ServerAccount}:", path);
    }

    public static string Run(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({p.ExitCode}): {stderr.Trim()}");
        return stdout.Result;
    }
}
