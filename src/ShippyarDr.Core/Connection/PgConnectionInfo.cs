using Npgsql;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Connection;

/// <summary>
/// Where and as whom to connect. Precedence follows what a DBA expects from libpq tools: explicit parameters,
/// then the connection string, then PGHOST/PGPORT/PGUSER/PGPASSWORD, then localhost:5432 as the OS user.
/// With no password anywhere, libpq's .pgpass (PGPASSFILE) applies to both Npgsql and the child tools.
/// The password is held only here, handed to Npgsql and to child processes' environments, never printed.
/// </summary>
public sealed class PgConnectionInfo
{
    private readonly string? _password;

    public PgConnectionInfo(string host, int port, string username, string? password, string? sslMode = null,
        string? passfile = null)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "InvalidServer", "Server must not be empty.");
        if (port is < 1 or > 65535)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "InvalidPort", $"Port {port} is not between 1 and 65535.");
        Host = host;
        Port = port;
        Username = username;
        _password = password;
        SslMode = sslMode;
        Passfile = passfile;
        SecretRedactor.Register(password);
    }

    public string Host { get; }
    public int Port { get; }
    public string Username { get; }
    public string? SslMode { get; }
    public string? Passfile { get; }
    public bool HasPassword => _password is not null;

    /// <summary>"host:port", how backups record and show the server.</summary>
    public string DisplayName => $"{Host}:{Port}";

    public override string ToString() => $"{Username}@{DisplayName}";

    /// <summary>
    /// Builds the connection from what a cmdlet was given. Any argument may be null (not given).
    /// </summary>
    public static PgConnectionInfo Resolve(string? server, int? port, string? username, string? password,
        string? connectionString = null, IDictionary<string, string?>? environment = null)
    {
        string? Env(string name) => environment is not null
            ? environment.TryGetValue(name, out var v) ? v : null
            : Environment.GetEnvironmentVariable(name);

        NpgsqlConnectionStringBuilder? cs = null;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            try { cs = new NpgsqlConnectionStringBuilder(connectionString); }
            catch (ArgumentException e)
            {
                // The parser's message can echo the string, which may hold a password: keep only its gist.
                throw new ShippyarException(ShippyarErrorKind.InvalidArgument, "InvalidConnectionString",
                    "The connection string is not valid: " + FirstClause(e.Message), inner: null);
            }
        }

        var host = server ?? NonEmpty(cs?.Host) ?? NonEmpty(Env("PGHOST")) ?? "localhost";
        var resolvedPort = port ?? (cs is not null && cs.Port != NpgsqlConnection.DefaultPort ? cs.Port : (int?)null)
                           ?? ParsePort(Env("PGPORT")) ?? cs?.Port ?? NpgsqlConnection.DefaultPort;
        var user = username ?? NonEmpty(cs?.Username) ?? NonEmpty(Env("PGUSER")) ?? Environment.UserName;
        var pwd = password ?? NonEmpty(cs?.Password) ?? NonEmpty(Env("PGPASSWORD"));
        var ssl = cs is not null && cs.SslMode != Npgsql.SslMode.Prefer ? cs.SslMode.ToString().ToLowerInvariant() : NonEmpty(Env("PGSSLMODE"));
        var passfile = NonEmpty(cs?.Passfile) ?? NonEmpty(Env("PGPASSFILE"));
        return new PgConnectionInfo(host, resolvedPort, user, pwd, ssl, passfile);
    }

    /// <summary>A copy that talks to another server with the same identity.</summary>
    public PgConnectionInfo WithServer(string host, int port) => new(host, port, Username, _password, SslMode, Passfile);

    public string ToNpgsqlConnectionString(string database, string applicationName = "ShippyarDr")
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = Host, Port = Port, Username = Username, Database = database,
            ApplicationName = applicationName, Timeout = 15, CommandTimeout = 0,
            // A pooled connection would keep scratch databases from being dropped.
            Pooling = false,
        };
        // The password file is read here, with libpq's rules; Npgsql's own reading (which fails on a missing
        // PGPASSFILE) is turned off by pointing it at the null device.
        var password = _password ?? PgPassFile.Lookup(Passfile ?? PgPassFile.DefaultPath(), Host, Port, database, Username);
        if (password is not null) b.Password = password;
        b.Passfile = OperatingSystem.IsWindows() ? "NUL" : "/dev/null";
        if (SslMode is not null && Enum.TryParse<Npgsql.SslMode>(SslMode.Replace("-", ""), true, out var mode)) b.SslMode = mode;
        return b.ConnectionString;
    }

    /// <summary>
    /// The libpq environment for a child process (pg_dump, pg_restore, psql): the only way the password
    /// reaches it. The database name goes here too, so a command line shows only options.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToEnvironment(string? database)
    {
        var env = new Dictionary<string, string>
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = Username,
            ["PGAPPNAME"] = "ShippyarDr",
            ["PGCONNECT_TIMEOUT"] = "15",
        };
        if (database is not null) env["PGDATABASE"] = database;
        if (_password is not null) env["PGPASSWORD"] = _password;
        if (SslMode is not null) env["PGSSLMODE"] = SslMode;
        if (Passfile is not null) env["PGPASSFILE"] = Passfile;
        return env;
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static int? ParsePort(string? s) => int.TryParse(s, out var p) ? p : null;

    private static string FirstClause(string message)
    {
        var i = message.IndexOf('\'');
        return i > 0 ? message[..i].TrimEnd() : message;
    }
}
