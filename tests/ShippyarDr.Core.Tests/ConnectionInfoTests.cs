using ShippyarDr.Connection;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Core.Tests;

public sealed class ConnectionInfoTests
{
    private static readonly Dictionary<string, string?> LibpqEnv = new()
    {
        ["PGHOST"] = "envhost", ["PGPORT"] = "6543", ["PGUSER"] = "envuser", ["PGPASSWORD"] = "env-secret-1",
    };

    [Fact]
    public void Explicit_parameters_win_over_the_connection_string_and_the_environment()
    {
        var c = PgConnectionInfo.Resolve("db01", 5555, "alice", "alice-secret", "Host=cshost;Port=7777;Username=bob", LibpqEnv);
        Assert.Equal(("db01", 5555, "alice"), (c.Host, c.Port, c.Username));
        Assert.Equal("alice-secret", c.ToEnvironment("x")["PGPASSWORD"]);
    }

    [Fact]
    public void Connection_string_wins_over_the_environment()
    {
        var c = PgConnectionInfo.Resolve(null, null, null, null, "Host=cshost;Port=7777;Username=bob;Password=cs-secret-2", LibpqEnv);
        Assert.Equal(("cshost", 7777, "bob"), (c.Host, c.Port, c.Username));
        Assert.Equal("cs-secret-2", c.ToEnvironment(null)["PGPASSWORD"]);
    }

    [Fact]
    public void Libpq_environment_applies_when_nothing_is_given()
    {
        var c = PgConnectionInfo.Resolve(null, null, null, null, null, LibpqEnv);
        Assert.Equal(("envhost", 6543, "envuser"), (c.Host, c.Port, c.Username));
        Assert.True(c.HasPassword);
    }

    [Fact]
    public void Defaults_are_localhost_5432_as_the_os_user_without_a_password()
    {
        var c = PgConnectionInfo.Resolve(null, null, null, null, null, new Dictionary<string, string?>());
        Assert.Equal(("localhost", 5432, Environment.UserName), (c.Host, c.Port, c.Username));
        Assert.False(c.HasPassword);
        Assert.False(c.ToEnvironment("db").ContainsKey("PGPASSWORD"));
    }

    [Fact]
    public void The_password_is_in_the_child_environment_and_nowhere_else()
    {
        var c = new PgConnectionInfo("h", 5432, "u", "Very-Secret-3");
        var env = c.ToEnvironment("db");
        Assert.Equal("Very-Secret-3", env["PGPASSWORD"]);
        Assert.Equal("db", env["PGDATABASE"]);
        Assert.DoesNotContain("Very-Secret-3", c.ToString());
        Assert.DoesNotContain("Very-Secret-3", c.DisplayName);
        Assert.Equal($"boom {SecretRedactor.Mask}", SecretRedactor.Redact("boom Very-Secret-3"));
    }

    [Fact]
    public void A_bad_connection_string_error_does_not_echo_the_string()
    {
        var e = Assert.Throws<ShippyarException>(() => PgConnectionInfo.Resolve(null, null, null, null, "Password=Leaky-Secret-4;NoSuchKeyword=1"));
        Assert.Equal("InvalidConnectionString", e.ErrorId);
        Assert.DoesNotContain("Leaky-Secret-4", e.Message);
    }
}

public sealed class ConnectionStringErrorTests
{
    [Theory]
    [InlineData("Host=db01;Password=Leaky-Secret-5;NoSuchKeyword=1", "'NoSuchKeyword' is not a keyword")]
    [InlineData("Host=db01;Port=abc;Password=Leaky-Secret-5", "Port=abc cannot be used")]
    [InlineData("Host=db01;Port=0;Password=Leaky-Secret-5", "Port=0 cannot be used")]
    [InlineData("Host=db01;Port=99999;Password=Leaky-Secret-5", "Port=99999 is not between 1 and 65535")]
    [InlineData("Host=db01;SSL Mode=sometimes;Password=Leaky-Secret-5", "SSL Mode=sometimes cannot be used")]
    [InlineData("Host=db01;Timeout=soon;Password=Leaky-Secret-5", "Timeout=soon cannot be used")]
    [InlineData("Host=db01;Password='Leaky-Secret-5", "not a list of keyword=value pairs")]
    [InlineData("Leaky-Secret-5", "not a list of keyword=value pairs")]
    public void Each_failure_says_which_keyword_and_why_and_never_the_password(string connectionString, string expected)
    {
        var e = Assert.Throws<ShippyarException>(() => PgConnectionInfo.Resolve(null, null, null, null, connectionString));
        Assert.Equal("InvalidConnectionString", e.ErrorId);
        Assert.Equal(ShippyarErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Leaky-Secret-5", e.Message);
        Assert.Null(e.InnerException);
    }

    [Fact]
    public void A_bad_password_value_is_named_by_its_keyword_only()
    {
        // Npgsql refuses no password value today; the keyword-by-keyword parse must still never quote one.
        var c = PgConnectionInfo.Resolve(null, null, null, null, "Host=db01;Password=\"quoted; Leaky-Secret-6\"");
        Assert.True(c.HasPassword);
        Assert.Equal("quoted; Leaky-Secret-6", c.ToEnvironment(null)["PGPASSWORD"]);
    }
}

public sealed class PgPassFileTests : IDisposable
{
    private readonly Fixtures.TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir.Path, Guid.NewGuid().ToString("n"));
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void First_matching_line_wins_with_wildcards_and_escapes()
    {
        var path = Write("# comment\ndb1:5432:sales:bob:first\n*:5432:*:bob:p\\:a\\\\ss\n*:*:*:*:fallback\n");
        Assert.Equal("first", PgPassFile.Lookup(path, "db1", 5432, "sales", "bob"));
        Assert.Equal("p:a\\ss", PgPassFile.Lookup(path, "db2", 5432, "hr", "bob"));
        Assert.Equal("fallback", PgPassFile.Lookup(path, "db2", 6000, "hr", "alice"));
    }

    [Fact]
    public void A_missing_file_or_one_others_can_read_is_ignored_as_libpq_does()
    {
        Assert.Null(PgPassFile.Lookup(Path.Combine(_dir.Path, "missing"), "h", 5432, "d", "u"));
        var open = Write("*:*:*:*:secret", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Null(PgPassFile.Lookup(open, "h", 5432, "d", "u"));
    }
}
