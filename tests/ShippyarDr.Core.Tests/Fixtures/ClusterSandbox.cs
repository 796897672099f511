using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A cluster of its own for the cluster-backup tests: a Weekly backup takes every database, and the shared sandbox
/// holds databases other tests break on purpose (orphan rows), which a cluster verification rightly fails.
/// </summary>
public sealed class ClusterSandbox : IDisposable
{
    public ClusterSandbox()
    {
        Sandbox = PostgresSandbox.Start();
        try { Sandbox.CreateSampleDatabase(SandboxFixture.SampleDatabase, 0.02); }
        catch
        {
            Sandbox.Dispose();
            throw;
        }
    }

    public PostgresSandbox Sandbox { get; }

    public void Dispose() => Sandbox.Dispose();
}
