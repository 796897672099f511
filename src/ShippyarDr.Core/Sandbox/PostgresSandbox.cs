using System.Security.Cryptography;
using ShippyarDr.Cluster;
using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Sandbox;

/// <summary>
/// A throwaway PostgreSQL cluster on a free loopback port: for the quickstart, for tests, and for drills that
/// need a scratch server. Password authentication (SCRAM) over TCP, so credential handling is exercised for
/// real. Disposing stops the server and deletes its directory.
/// </summary>
public sealed class PostgresSandbox : IDisposable
{
    public const string Superuser = "postgres";
    private readonly string _password;
    private readonly ServerAccount _account = ServerAccount.Default;
    private LocalServer? _server;

    private PostgresSandbox(string root, int port, string password, int majorVersion)
    {
        RootDirectory = root;
        Port = port;
        _password = password;
        MajorVersion = majorVersion;
        Connection = new PgConnectionInfo(Server, port, Superuser, password);
    }

    public string RootDirectory { get; }
    public string DataDirectory => Path.Combine(RootDirectory, "data");
    public string LogFile => Path.Combine(RootDirectory, "server.log");
    public int Port { get; }
    public string Server => "127.0.0.1";
    public string Username => Superuser;
    public bool IsRunning => _server?.IsRunning == true;
    public PgConnectionInfo Connection { get; }
    public int MajorVersion { get; }

    public static PostgresSandbox Start(int? port = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var initdb = PgToolLocator.Find("initdb");
        var root = Directory.CreateTempSubdirectory("shippyar-sandbox-").FullName;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var sandbox = new PostgresSandbox(root, port ?? FreeLoopbackPort(), password, initdb.MajorVersion);
        try
        {
            sandbox.Initialize(initdb, settings);
            sandbox.StartServer();
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    private void Initialize(PgTool initdb, IReadOnlyDictionary<string, string>? settings)
    {
        // Temp directories are 0700: the server account must be able to reach its own files inside.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(RootDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var pwfile = Path.Combine(RootDirectory, "pwfile");
        File.WriteAllText(pwfile, _password + "\n");
        _account.GiveOwnership(RootDirectory);
        try
        {
            RunAsServer(initdb.Path, "-D", DataDirectory, "-U", Superuser, "--pwfile", pwfile, "-E", "UTF8",
                "--locale", "C", "--auth-host", "scram-sha-256", "--auth-local", "trust", "--no-sync");
        }
        finally
        {
            File.Delete(pwfile);
        }
        var conf = new Dictionary<string, string>
        {
            ["listen_addresses"] = "'127.0.0.1'",
            ["port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["unix_socket_directories"] = $"'{RootDirectory}'",
            // Scratch data: durability across a machine crash is not wanted, speed is.
            ["fsync"] = "off",
            ["synchronous_commit"] = "off",
            ["max_connections"] = "50",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) conf[k] = v;
        File.AppendAllLines(Path.Combine(DataDirectory, "postgresql.conf"), conf.Select(kv => $"{kv.Key} = {kv.Value}"));
    }

    private void StartServer()
    {
        try
        {
            _server = LocalServer.Start(DataDirectory, new LocalServerOptions { Account = _account, LogFile = LogFile, StartTimeout = TimeSpan.FromSeconds(60) });
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.ServerStartFailed)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.SandboxFailed, $"The sandbox PostgreSQL could not be set up: {e.Message}", DataDirectory, e);
        }
    }

    /// <summary>Stops the server (fast shutdown); the data directory stays until Dispose.</summary>
    public void Stop() => _server?.Stop();

    public void Restart()
    {
        Stop();
        StartServer();
    }

    /// <summary>Runs SQL in a database through Npgsql; for setup in tests and the quickstart.</summary>
    public void Execute(string database, string sql)
    {
        using var conn = PgSession.Open(Connection, database);
        using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The superuser's password (random per sandbox). A method, so it never shows in Format-List *.</summary>
    public string GetPassword() => _password;

    /// <summary>Runs a query and returns its first value as text (null for SQL NULL or no row).</summary>
    public string? QueryScalar(string database, string sql)
    {
        using var conn = PgSession.Open(Connection, database);
        using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        return cmd.ExecuteScalar() is { } v and not DBNull ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Creates a database with the Shippyar sample schema: users, orders, order_items, shipments with
    /// foreign keys. Scale 1 is ~100k orders (~70 MB); fractions work.</summary>
    public void CreateSampleDatabase(string name, double scale)
    {
        if (scale <= 0) throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidScale, "The sample scale must be positive.", scale.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Execute("postgres", $"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"");
        using var script = typeof(PostgresSandbox).Assembly.GetManifestResourceStream("ShippyarDr.Sandbox.shippyar_sample.sql")!;
        RunPsql(name, script, new Dictionary<string, string> { ["scale"] = scale.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    /// <summary>Runs a SQL script through psql (variables as -v name=value), stopping at the first error.</summary>
    public void RunPsql(string database, Stream script, IReadOnlyDictionary<string, string>? variables = null)
    {
        var psql = PgToolLocator.Find("psql", MajorVersion);
        var args = new List<string> { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-" };
        foreach (var (k, v) in variables ?? new Dictionary<string, string>()) { args.Add("-v"); args.Add($"{k}={v}"); }
        using var p = PgProcess.Start(psql, args, Connection.ToEnvironment(database), redirectInput: true);
        script.CopyTo(p.StandardInput);
        p.StandardInput.Close();
        p.WaitForSuccess($"Running a SQL script in {database}");
    }

    private void RunAsServer(string program, params string[] args)
    {
        try { _account.RunAs(program, args); }
        catch (InvalidOperationException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidOperation, ErrorIds.SandboxFailed,
                $"The sandbox PostgreSQL could not be set up: {e.Message}", program, e);
        }
    }

    public static int FreeLoopbackPort() => FreePort.OnLoopback();

    public void Dispose()
    {
        try { Stop(); }
        catch (ShippyarException) { /* best effort: remove the files anyway */ }
        try { Directory.Delete(RootDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
