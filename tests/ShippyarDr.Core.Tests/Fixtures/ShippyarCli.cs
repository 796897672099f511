using ShippyarDr.Cluster;
using System.Diagnostics;
using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>The built shippyar-dr executable, run as PostgreSQL runs it: as the server's OS account, in a data directory.</summary>
public static class ShippyarCli
{
    /// <summary>SHIPPYAR_CLI when set (build.ps1 -Task Test names the module's own, ahead-of-time compiled), else
    /// src/ShippyarDr.Cli/bin/&lt;configuration&gt;/net8.0/shippyar-dr, built with the tests (the configuration is the tests' own).</summary>
    public static string Path { get; } = Locate();

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("SHIPPYAR_CLI") is { Length: > 0 } shipped)
            return File.Exists(shipped) ? shipped : throw new InvalidOperationException($"SHIPPYAR_CLI names {shipped}, which does not exist.");
        var dir = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(dir).Parent!.Name; // …/bin/<configuration>/net10.0/
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir, "ShippyarDr.sln"))) dir = System.IO.Path.GetDirectoryName(dir);
        var path = System.IO.Path.Combine(dir ?? throw new InvalidOperationException("ShippyarDr.sln not found"), "src", "ShippyarDr.Cli", "bin", configuration, "net8.0", "shippyar-dr");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} was not built.");
    }

    /// <summary>Runs shippyar-dr with <paramref name="args"/> in <paramref name="workingDirectory"/>, as the server account when we are root.</summary>
    public static (int ExitCode, string StdErr) Run(string workingDirectory, params string[] args) => RunWith(null, workingDirectory, args);

    /// <summary>The same, with <paramref name="environment"/> added to its environment (SHIPPYAR_CONFIG, passphrase variables).</summary>
    public static (int ExitCode, string StdErr) RunWith(IReadOnlyDictionary<string, string>? environment, string workingDirectory, params string[] args)
    {
        var (program, argv) = ServerAccount.Default.Wrap(Path, args);
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in argv) psi.ArgumentList.Add(a);
        psi.Environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        // Only the configuration a test names: another test may set SHIPPYAR_CONFIG in this process for a moment.
        psi.Environment.Remove(Configuration.ConfigurationPaths.Variable);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"shippyar-dr {string.Join(' ', args)} did not finish in 2 minutes."); }
        return (p.ExitCode, stderr.Result);
    }

    /// <summary>A directory the server account owns (repositories, spool directories, destinations).</summary>
    public static TempDirectory ServerOwnedDirectory(string prefix)
    {
        var dir = new TempDirectory(prefix);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ServerAccount.Default.GiveOwnership(dir.Path);
        return dir;
    }
}
