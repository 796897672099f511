using System.Text.RegularExpressions;
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
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidServer, "Server must not be empty.");
        if (port is < 1 or > 65535)
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidPort, $"Port {port} is not between 1 and 65535.");
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

        var cs = string.IsNullOrWhiteSpace(connectionString) ? null : ParseConnectionString(connectionString);

        var host = server ?? NonEmpty(cs?.Host) ?? NonEmpty(Env("PGHOST")) ?? "localhost";
        var resolvedPort = port ?? (cs is not null && cs.Port != NpgsqlConnection.DefaultPort ? cs.Port : (int?)null)
                           ?? ParsePort(Env("PGPORT")) ?? cs?.Port ?? NpgsqlConnection.DefaultPort;
        var user = username ?? NonEmpty(cs?.Username) ?? NonEmpty(Env("PGUSER")) ?? Environment.UserName;
        var pwd = password ?? NonEmpty(cs?.Password) ?? NonEmpty(Env("PGPASSWORD"));
        var ssl = cs is not null && cs.SslMode != Npgsql.SslMode.Prefer ? cs.SslMode.ToString().ToLowerInvariant() : NonEmpty(Env("PGSSLMODE"));
        var passfile = NonEmpty(cs?.Passfile) ?? NonEmpty(Env("PGPASSFILE"));
        return new PgConnectionInfo(host, resolvedPort, user, pwd, ssl, passfile);
    }

    /// <summary>A server as a user writes it and as backups record it: "host", "host:port" or "[v6]:port".</summary>
    public static (string? Host, int? Port) SplitServer(string? server)
    {
        if (string.IsNullOrWhiteSpace(server)) return (null, null);
        var colon = server.LastIndexOf(':');
        var isBareIpv6 = server.IndexOf(':') != colon && !server.StartsWith('[');
        if (colon > 0 && !isBareIpv6 && int.TryParse(server[(colon + 1)..], out var port))
            return (server[..colon].Trim('[', ']'), port);
        return (server.Trim('[', ']'), null);
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

    /// <summary>Password, SSL Password and their synonyms: values never quoted.</summary>
    private static bool IsSecretKeyword(string key) => key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Equals("psw", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses a connection string keyword by keyword, so an error can say which keyword is wrong and why (unknown, or a
    /// value it cannot take) and still never echo a password: the password's value is registered as a secret before
    /// anything is said, and never quoted.
    /// </summary>
    private static NpgsqlConnectionStringBuilder ParseConnectionString(string connectionString)
    {
        var pairs = new System.Data.Common.DbConnectionStringBuilder();
        try { pairs.ConnectionString = connectionString; }
        catch (ArgumentException)
        {
            // The parser's own message quotes the string from the point it failed, password and all.
            throw InvalidConnectionString("it is not a list of keyword=value pairs separated by semicolons (check quotes around values holding ; or =)");
        }
        foreach (string key in pairs.Keys)
            if (IsSecretKeyword(key)) SecretRedactor.Register(pairs[key]?.ToString());

        var builder = new NpgsqlConnectionStringBuilder();
        foreach (string key in pairs.Keys)
        {
            var value = pairs[key]?.ToString() ?? "";
            // The parser lowercases keywords: quote the one the user wrote.
            var asWritten = Regex.Match(connectionString, $@"(?:^|;)\s*({Regex.Escape(key)})\s*=",
                RegexOptions.IgnoreCase);
            var written = asWritten.Success ? asWritten.Groups[1].Value : key;
            try
            {
                builder[key] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException or KeyNotFoundException)
            {
                if (!builder.ContainsKey(key))
                    throw InvalidConnectionString($"'{written}' is not a keyword Npgsql knows (e.g. Host, Port, Username, Password, Database, SSL Mode)");
                throw InvalidConnectionString(IsSecretKeyword(key)
                    ? $"the value of {written} cannot be used"
                    : $"{written}={value} cannot be used ({Reason(e.InnerException ?? e)})");
            }
        }
        // Npgsql takes any positive port; libpq and the network do not.
        if (builder.ContainsKey("Port") && builder.Port is < 1 or > 65535)
            throw InvalidConnectionString($"Port={builder.Port} is not between 1 and 65535");
        return builder;
    }

    /// <summary>A library message as a clause: first line, without .NET's "(Parameter 'value')" and the final stop.</summary>
    private static string Reason(Exception e)
    {
        var line = e.Message.Split('\n')[0];
        line = Regex.Replace(line, @"\s*\(Parameter '[^']*'\)", "");
        return line.Trim().TrimEnd('.');
    }

    private static ShippyarException InvalidConnectionString(string why)
        => new(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidConnectionString, $"The connection string is not valid: {why}.");
}
