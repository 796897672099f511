using Npgsql;
using ShippyarDr.Connection;
using ShippyarDr.Core.Tests.Fixtures;

namespace ShippyarDr.Core.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SandboxTests(SandboxFixture fixture)
{
    [Fact]
    public void Sample_database_has_the_shippyar_tables_with_foreign_keys()
    {
        using var conn = PgSession.Open(fixture.Sandbox.Connection, SandboxFixture.SampleDatabase);
        using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_constraint WHERE contype = 'f'", conn);
        Assert.Equal(3L, (long)cmd.ExecuteScalar()!);
        using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
        Assert.Equal(5000L, (long)orders.ExecuteScalar()!);
    }

    [Fact]
    public void Server_runs_on_loopback_and_requires_the_password()
    {
        var wrongPassword = new PgConnectionInfo("127.0.0.1", fixture.Sandbox.Port, "postgres", "not-the-password");
        var e = Assert.Throws<Diagnostics.ShippyarException>(() => PgSession.Open(wrongPassword, "postgres").Dispose());
        Assert.Equal("AuthenticationFailed", e.ErrorId);
        Assert.DoesNotContain("not-the-password", e.Message);
        using var ok = PgSession.Open(fixture.Sandbox.Connection, "postgres");
        Assert.Equal(System.Data.ConnectionState.Open, ok.State);
    }
}
