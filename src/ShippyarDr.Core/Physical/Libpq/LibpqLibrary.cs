using System.Runtime.InteropServices;
using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Physical.Libpq;

/// <summary>
/// The machine's libpq, the library pg_basebackup itself is built on, bound by function pointer (no assembly-wide
/// import resolver: the zstd binding has that). Base backups speak the replication protocol through it, so libpq's
/// own connection rules apply (.pgpass, service files, SSL modes, Kerberos) exactly as for pg_basebackup. Found
/// beside the PostgreSQL programs (SHIPPYAR_PG_BINDIR/../lib, the package's lib directory) or where the system
/// linker looks (libpq5 on Debian, postgresql-libs on RHEL).
/// </summary>
internal static unsafe class LibpqLibrary
{
    private static readonly Lazy<Api> Loaded = new(Load);

    public static Api Functions => Loaded.Value;

    /// <summary>libpq's version as "15.18"-like text (PQlibVersion).</summary>
    public static string Version
    {
        get
        {
            var v = Functions.PQlibVersion();
            return v >= 100000 ? $"{v / 10000}.{v % 10000}" : $"{v / 10000}.{v / 100 % 100}.{v % 100}";
        }
    }

    private static Api Load()
    {
        foreach (var candidate in Candidates())
        {
            if (!NativeLibrary.TryLoad(candidate, out var handle)) continue;
            try { return new Api(handle); }
            catch (EntryPointNotFoundException) { NativeLibrary.Free(handle); }
        }
        throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.LibpqNotFound,
            "libpq, the PostgreSQL client library, was not found (base backups speak the replication protocol through it, as pg_basebackup does). " +
            $"Install it (libpq5 on Debian and Ubuntu, postgresql-libs or the PGDG client package on RHEL) or set {PgToolLocator.BinDirectoryVariable} to a PostgreSQL bin directory beside its lib directory.");
    }

    /// <summary>The configured bin directory's libpq first, then the linker's, then the packages' own lib directories.</summary>
    private static IEnumerable<string> Candidates()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "libpq.dll" }
            : OperatingSystem.IsMacOS() ? new[] { "libpq.5.dylib", "libpq.dylib" }
            : new[] { "libpq.so.5", "libpq.so" };
        var configured = new List<string>();
        if (Environment.GetEnvironmentVariable(PgToolLocator.BinDirectoryVariable) is { Length: > 0 } bin)
            configured.AddRange(new[] { bin, Path.Combine(bin, "..", "lib") });
        // PGDG RHEL and Homebrew keep libpq in the version's own lib directory, outside the linker's path.
        var packaged = new List<string>();
        foreach (var (root, pattern) in new[] { ("/usr/lib/postgresql", "*"), ("/usr", "pgsql-*") })
            if (Directory.Exists(root))
                packaged.AddRange(Directory.EnumerateDirectories(root, pattern).OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "lib")));
        packaged.Add("/opt/homebrew/opt/libpq/lib");
        foreach (var dir in configured) foreach (var name in names) yield return Path.Combine(dir, name);
        foreach (var name in names) yield return name;
        foreach (var dir in packaged) foreach (var name in names) yield return Path.Combine(dir, name);
    }

    /// <summary>The functions a replication session uses (libpq-fe.h).</summary>
    internal sealed class Api
    {
        public Api(IntPtr lib)
        {
            PQconnectdbParams = (delegate* unmanaged<byte**, byte**, int, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQconnectdbParams));
            PQstatus = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, nameof(PQstatus));
            PQerrorMessage = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQerrorMessage));
            PQfinish = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, nameof(PQfinish));
            PQserverVersion = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, nameof(PQserverVersion));
            PQlibVersion = (delegate* unmanaged<int>)NativeLibrary.GetExport(lib, nameof(PQlibVersion));
            PQsendQuery = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(lib, nameof(PQsendQuery));
            PQgetResult = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQgetResult));
            PQresultStatus = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, nameof(PQresultStatus));
            PQresultErrorMessage = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQresultErrorMessage));
            PQresultErrorField = (delegate* unmanaged<IntPtr, int, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQresultErrorField));
            PQntuples = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, nameof(PQntuples));
            PQnfields = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, nameof(PQnfields));
            PQgetvalue = (delegate* unmanaged<IntPtr, int, int, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQgetvalue));
            PQgetisnull = (delegate* unmanaged<IntPtr, int, int, int>)NativeLibrary.GetExport(lib, nameof(PQgetisnull));
            PQclear = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, nameof(PQclear));
            PQgetCopyData = (delegate* unmanaged<IntPtr, IntPtr*, int, int>)NativeLibrary.GetExport(lib, nameof(PQgetCopyData));
            PQfreemem = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, nameof(PQfreemem));
            PQgetCancel = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(lib, nameof(PQgetCancel));
            PQcancel = (delegate* unmanaged<IntPtr, byte*, int, int>)NativeLibrary.GetExport(lib, nameof(PQcancel));
            PQfreeCancel = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, nameof(PQfreeCancel));
        }

        public readonly delegate* unmanaged<byte**, byte**, int, IntPtr> PQconnectdbParams;
        public readonly delegate* unmanaged<IntPtr, int> PQstatus;
        public readonly delegate* unmanaged<IntPtr, IntPtr> PQerrorMessage;
        public readonly delegate* unmanaged<IntPtr, void> PQfinish;
        public readonly delegate* unmanaged<IntPtr, int> PQserverVersion;
        public readonly delegate* unmanaged<int> PQlibVersion;
        public readonly delegate* unmanaged<IntPtr, byte*, int> PQsendQuery;
        public readonly delegate* unmanaged<IntPtr, IntPtr> PQgetResult;
        public readonly delegate* unmanaged<IntPtr, int> PQresultStatus;
        public readonly delegate* unmanaged<IntPtr, IntPtr> PQresultErrorMessage;
        public readonly delegate* unmanaged<IntPtr, int, IntPtr> PQresultErrorField;
        public readonly delegate* unmanaged<IntPtr, int> PQntuples;
        public readonly delegate* unmanaged<IntPtr, int> PQnfields;
        public readonly delegate* unmanaged<IntPtr, int, int, IntPtr> PQgetvalue;
        public readonly delegate* unmanaged<IntPtr, int, int, int> PQgetisnull;
        public readonly delegate* unmanaged<IntPtr, void> PQclear;
        public readonly delegate* unmanaged<IntPtr, IntPtr*, int, int> PQgetCopyData;
        public readonly delegate* unmanaged<IntPtr, void> PQfreemem;
        public readonly delegate* unmanaged<IntPtr, IntPtr> PQgetCancel;
        public readonly delegate* unmanaged<IntPtr, byte*, int, int> PQcancel;
        public readonly delegate* unmanaged<IntPtr, void> PQfreeCancel;
    }
}
