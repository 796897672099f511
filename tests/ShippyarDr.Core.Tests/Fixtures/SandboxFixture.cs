using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// One real PostgreSQL cluster for the whole test run, with the Shippyar sample schema loaded into
/// <see cref="SampleDatabase"/>. Stopped and deleted when the run ends, failed tests or not.
/// </summary>
public sealed class SandboxFixture : IDisposable
{
    public const string SampleDatabase = "shippyar";
    public const double SampleScale = 0.05;
    private int _counter;

    public SandboxFixture()
    {
        Sandbox = PostgresSandbox.Start();
        try
        {
            Sandbox.CreateSampleDatabase(SampleDatabase, SampleScale);
        }
        catch
        {
            Sandbox.Dispose();
            throw;
        }
    }

    public PostgresSandbox Sandbox { get; }

    /// <summary>A database name no other test uses.</summary>
    public string UniqueName(string prefix) => $"{prefix}_{Interlocked.Increment(ref _counter)}_{Environment.ProcessId}";

    /// <summary>A fresh copy of the sample database (CREATE DATABASE … TEMPLATE), for tests that change data.</summary>
    public string CloneSample(string prefix)
    {
        var name = UniqueName(prefix);
        Sandbox.Execute("postgres", $"CREATE DATABASE \"{name}\" TEMPLATE \"{SampleDatabase}\"");
        return name;
    }

    public void Dispose() => Sandbox.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "postgres";
}
