using System.Runtime.InteropServices;
using System.Text;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Physical.Libpq;

/// <summary>
/// A replication connection (replication=true, what pg_basebackup opens) through libpq. The password and every other
/// setting are handed to libpq in memory (PQconnectdbParams), never on a command line or in the environment.
/// Commands run one at a time on the calling thread; <see cref="Cancel"/> may be called from any thread (it is how a
/// cancellation token stops a base backup: the server ends the command and the stream).
/// </summary>
internal sealed unsafe class ReplicationSession : IDisposable
{
    private const int ConnectionOk = 0;
    private readonly LibpqLibrary.Api _pq;
    private IntPtr _conn;
    private IntPtr _cancel;
    private readonly object _cancelLock = new();

    private ReplicationSession(LibpqLibrary.Api pq, IntPtr conn, PgConnectionInfo info)
    {
        _pq = pq;
        _conn = conn;
        Connection = info;
        _cancel = pq.PQgetCancel(conn);
    }

    public PgConnectionInfo Connection { get; }

    public int ServerVersion => _pq.PQserverVersion(_conn);

    public static ReplicationSession Open(PgConnectionInfo info, string applicationName = "ShippyarDr")
    {
        var pq = LibpqLibrary.Functions;
        var settings = new List<(string, string)>();
        foreach (var (variable, value) in info.ToEnvironment(null))
            if (Keyword(variable) is { } keyword) settings.Add((keyword, value));
        settings.Add(("application_name", applicationName));
        settings.Add(("replication", "true"));
        // A silent network must not hold a backup forever; an idle server (a spread checkpoint) sends keepalives.
        settings.AddRange(new[] { ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "6") });
        var conn = Connect(pq, settings);
        if (conn == IntPtr.Zero)
            throw new ShippyarException(ShippyarErrorKind.ResourceUnavailable, ErrorIds.ServerUnreachable, $"libpq could not allocate a connection to {info.DisplayName}.", info.DisplayName);
        if (pq.PQstatus(conn) != ConnectionOk)
        {
            var message = Text(pq.PQerrorMessage(conn));
            pq.PQfinish(conn);
            throw ConnectFailed(info, message);
        }
        return new ReplicationSession(pq, conn, info);
    }

    private static IntPtr Connect(LibpqLibrary.Api pq, List<(string Key, string Value)> settings)
    {
        var handles = new List<IntPtr>();
        try
        {
            var keys = new byte*[settings.Count + 1];
            var values = new byte*[settings.Count + 1];
            for (var i = 0; i < settings.Count; i++)
            {
                keys[i] = Utf8(settings[i].Key, handles);
                values[i] = Utf8(settings[i].Value, handles);
            }
            fixed (byte** k = keys)
            fixed (byte** v = values)
                return pq.PQconnectdbParams(k, v, 0);
        }
        finally
        {
            // The password's copy is wiped before it is freed.
            foreach (var h in handles)
            {
                var length = 0;
                while (((byte*)h)[length] != 0) length++;
                new Span<byte>((void*)h, length).Clear();
                Marshal.FreeHGlobal(h);
            }
        }
    }

    /// <summary>Runs a command and returns the rows of its result (every value as text, null for NULL).</summary>
    public IReadOnlyList<string?[]> Execute(string command)
    {
        Send(command);
        IReadOnlyList<string?[]> rows = Array.Empty<string?[]>();
        while (NextResult() is { } result)
            using (result)
            {
                Check(result, command);
                if (result.Status == ResultStatus.TuplesOk) rows = result.Rows();
            }
        return rows;
    }

    public void Send(string command)
    {
        var handles = new List<IntPtr>();
        try
        {
            if (_pq.PQsendQuery(_conn, Utf8(command, handles)) != 1)
                throw Failed(command, ErrorMessage);
        }
        finally
        {
            foreach (var h in handles) Marshal.FreeHGlobal(h);
        }
    }

    /// <summary>The next result of the command sent; null when it is complete.</summary>
    public ReplicationResult? NextResult()
    {
        var res = _pq.PQgetResult(_conn);
        return res == IntPtr.Zero ? null : new ReplicationResult(_pq, res);
    }

    /// <summary>
    /// The next CopyData message of a COPY OUT stream: its length and libpq's buffer (free it with <see cref="Free"/>),
    /// -1 at the end of the stream, -2 on a failure (see <see cref="ErrorMessage"/>).
    /// </summary>
    public int ReadCopyData(out IntPtr buffer)
    {
        IntPtr b;
        var n = _pq.PQgetCopyData(_conn, &b, 0);
        buffer = b;
        return n;
    }

    public void Free(IntPtr buffer) => _pq.PQfreemem(buffer);

    public string ErrorMessage => SecretRedactor.Redact(Text(_pq.PQerrorMessage(_conn)));

    /// <summary>Asks the server to cancel the running command; safe from any thread, a no-op once disposed.</summary>
    public void Cancel()
    {
        lock (_cancelLock)
        {
            if (_cancel == IntPtr.Zero) return;
            var buffer = stackalloc byte[256];
            _pq.PQcancel(_cancel, buffer, 256);
        }
    }

    /// <summary>Throws the server's error when <paramref name="result"/> is one.</summary>
    public void Check(ReplicationResult result, string command)
    {
        if (result.Failed) throw Failed(command, result.ErrorMessage, result.SqlState);
    }

    public ShippyarException Failed(string command, string message, string? sqlState = null)
    {
        var verb = command.Split(' ', 2)[0];
        var (kind, id) = sqlState switch
        {
            "42501" => (ShippyarErrorKind.PermissionDenied, ErrorIds.ReplicationNotAllowed),
            "XX001" => (ShippyarErrorKind.InvalidData, ErrorIds.DataChecksumFailure),
            _ => (ShippyarErrorKind.InvalidOperation, ErrorIds.BaseBackupFailed),
        };
        return new ShippyarException(kind, id, $"{verb} on {Connection.DisplayName} failed: {Clean(message)}", Connection.DisplayName);
    }

    private static ShippyarException ConnectFailed(PgConnectionInfo info, string message)
    {
        var clean = Clean(message);
        if (message.Contains("password authentication failed", StringComparison.Ordinal) || message.Contains("no password supplied", StringComparison.Ordinal)
            || message.Contains("fe_sendauth", StringComparison.Ordinal))
            return new ShippyarException(ShippyarErrorKind.AuthenticationError, ErrorIds.AuthenticationFailed,
                $"PostgreSQL at {info.DisplayName} refused the replication login of user '{info.Username}': {clean}", info.DisplayName);
        if (message.Contains("replication", StringComparison.Ordinal) && (message.Contains("pg_hba.conf", StringComparison.Ordinal)
                || message.Contains("permission denied", StringComparison.Ordinal) || message.Contains("must be superuser or replication role", StringComparison.Ordinal)))
            return new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.ReplicationNotAllowed,
                $"PostgreSQL at {info.DisplayName} refused a replication connection for user '{info.Username}' (a base backup needs the REPLICATION attribute and a 'replication' line in pg_hba.conf): {clean}", info.DisplayName);
        return new ShippyarException(ShippyarErrorKind.ConnectionError, ErrorIds.ServerUnreachable,
            $"Could not open a replication connection to PostgreSQL at {info.DisplayName}: {clean}", info.DisplayName);
    }

    /// <summary>libpq's messages are multi-line with doubled spaces after the severity.</summary>
    private static string Clean(string message) => SecretRedactor.Redact(string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Replace("FATAL:  ", "FATAL: ").Replace("ERROR:  ", "ERROR: "));

    private static string? Keyword(string variable) => variable switch
    {
        "PGHOST" => "host", "PGPORT" => "port", "PGUSER" => "user", "PGPASSWORD" => "password", "PGSSLMODE" => "sslmode",
        "PGPASSFILE" => "passfile", "PGCONNECT_TIMEOUT" => "connect_timeout", "PGDATABASE" => "dbname", _ => null,
    };

    private static byte* Utf8(string s, List<IntPtr> handles)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var p = Marshal.AllocHGlobal(bytes.Length + 1);
        handles.Add(p);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        ((byte*)p)[bytes.Length] = 0;
        return (byte*)p;
    }

    internal static string Text(IntPtr p) => p == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(p) ?? "";

    public void Dispose()
    {
        lock (_cancelLock)
        {
            if (_cancel != IntPtr.Zero) _pq.PQfreeCancel(_cancel);
            _cancel = IntPtr.Zero;
        }
        if (_conn != IntPtr.Zero) _pq.PQfinish(_conn);
        _conn = IntPtr.Zero;
    }
}
