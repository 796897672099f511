using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Tools;

/// <summary>
/// Finds pg_dump, pg_restore, psql… Order: the directory in SHIPPYAR_PG_BINDIR (alone, when set), then PATH,
/// then `pg_config --bindir`, then the usual package locations (newest first). Debian's pg_wrapper on PATH is
/// passed over: it picks a version per call, so the version we checked would not be the one that runs.
/// A tool is taken only if its major version is at least the server's, since an older pg_dump refuses a
/// newer server and an older pg_restore cannot read a newer archive.
/// </summary>
public static partial class PgToolLocator
{
    public const string BinDirectoryVariable = "SHIPPYAR_PG_BINDIR";

    private static readonly ConcurrentDictionary<string, PgTool?> VersionCache = new();

    public static PgTool Find(string name, int minimumMajorVersion = 0)
    {
        var candidates = CandidatePaths(name).Distinct().ToList();
        var found = candidates.Select(Probe).OfType<PgTool>().ToList();
        var suitable = found.FirstOrDefault(t => t.MajorVersion >= minimumMajorVersion);
        if (suitable is not null) return suitable;

        var configured = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        if (found.Count == 0)
        {
            var where = string.IsNullOrEmpty(configured)
                ? "on PATH, through pg_config or in the usual PostgreSQL locations"
                : $"in {configured} ({BinDirectoryVariable})";
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.PgToolNotFound,
                $"{name} was not found {where}. Install the PostgreSQL client programs (e.g. postgresql-client-{Math.Max(minimumMajorVersion, 15)}) or set {BinDirectoryVariable} to their directory.", name);
        }
        throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.PgToolTooOld,
            $"{name} must be version {minimumMajorVersion} or newer to work with this server; found only {string.Join(", ", found)}. Install postgresql-client-{minimumMajorVersion} or set {BinDirectoryVariable}.", name);
    }

    private static IEnumerable<string> CandidatePaths(string name)
    {
        var configured = Environment.GetEnvironmentVariable(BinDirectoryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            yield return Path.Combine(configured, name);
            yield break;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path) && !IsWrapper(path, name)) yield return path;
        }
        var pgConfigDir = PgConfigBinDir();
        if (pgConfigDir is not null) yield return Path.Combine(pgConfigDir, name);
        foreach (var dir in PackageDirectories()) yield return Path.Combine(dir, name);
    }

    private static bool IsWrapper(string path, string name)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return target is not null && !target.Name.Equals(name, StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
    }

    private static string? PgConfigBinDir()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var pgConfig = Path.Combine(dir, "pg_config");
            if (!File.Exists(pgConfig)) continue;
            var output = RunQuietly(pgConfig, "--bindir");
            return string.IsNullOrWhiteSpace(output) ? null : output.Trim();
        }
        return null;
    }

    private static IEnumerable<string> PackageDirectories()
    {
        // Debian/Ubuntu, RHEL (PGDG), Homebrew.
        var dirs = new List<(int Major, string Dir)>();
        AddVersioned(dirs, "/usr/lib/postgresql", d => Path.Combine(d, "bin"), n => n);
        AddVersioned(dirs, "/usr", d => Path.Combine(d, "bin"), n => n.StartsWith("pgsql-", StringComparison.Ordinal) ? n[6..] : null);
        AddVersioned(dirs, "/opt/homebrew/opt", d => Path.Combine(d, "bin"), n => n.StartsWith("postgresql@", StringComparison.Ordinal) ? n[11..] : null);
        return dirs.OrderByDescending(d => d.Major).Select(d => d.Dir);
    }

    private static void AddVersioned(List<(int, string)> dirs, string root, Func<string, string> bin, Func<string, string?> version)
    {
        if (!Directory.Exists(root)) return;
        foreach (var d in Directory.EnumerateDirectories(root))
        {
            var v = version(Path.GetFileName(d));
            if (v is not null && int.TryParse(v.Split('.')[0], out var major)) dirs.Add((major, bin(d)));
        }
    }

    private static PgTool? Probe(string path) => VersionCache.GetOrAdd(path, p =>
    {
        if (!File.Exists(p)) return null;
        var output = RunQuietly(p, "--version");
        if (output is null) return null;
        // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        var m = VersionPattern().Match(output);
        return m.Success ? new PgTool(Path.GetFileName(p), p, m.Groups[1].Value, int.Parse(m.Groups[2].Value)) : null;
    });

    private static string? RunQuietly(string path, string argument)
    {
        try
        {
            var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(argument);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            return p.ExitCode == 0 ? output : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\)\s+((\d+)(?:\.\d+)*(?:[a-z]+\d*)?)")]
    private static partial Regex VersionPattern();
}
