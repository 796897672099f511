using System.Diagnostics;

namespace ShippyarDr.Cli;

/// <summary>The options of the asynchronous modes, and how a foreground command starts its background process.</summary>
public static class AsyncOptions
{
    public static readonly string[] PushOptions = ["spool-directory", "async-processes", "async-queue-max", "async-timeout"];
    public static readonly string[] FetchOptions = ["spool-directory", "async-queue-max"];

    public static string SpoolDirectory(CliArguments args) => args.Get("spool-directory")
        ?? throw new CliUsageException("--async needs --spool-directory <directory the server's OS account may write, outside the data directory>.");

    /// <summary>
    /// Starts this executable again as <paramref name="worker"/> with the same arguments, detached: in a session of its
    /// own (setsid), so the foreground can return to PostgreSQL at once and the archiver's process group is not its.
    /// It inherits stderr, so what it reports lands in PostgreSQL's log too.
    /// </summary>
    public static void StartDetached(string worker, IReadOnlyList<string> argv)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown.");
        var prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new[] { Path.Combine(AppContext.BaseDirectory, "shippyar-dr.dll") } : Array.Empty<string>();
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        var psi = new ProcessStartInfo(setsid ?? self) { UseShellExecute = false };
        foreach (var a in (setsid is null ? Array.Empty<string>() : new[] { self }).Concat(prefix).Append(worker).Concat(argv)) psi.ArgumentList.Add(a);
        using var _ = Process.Start(psi);
    }
}
