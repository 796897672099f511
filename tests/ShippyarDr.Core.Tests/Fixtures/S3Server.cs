using System.Diagnostics;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;
using ShippyarDr.Repository.Cloud;
using ShippyarDr.Sandbox;

namespace ShippyarDr.Core.Tests.Fixtures;

/// <summary>
/// A real S3-compatible server for the tests: s3rver (npm, pinned in tests/s3/package.json) on a free loopback
/// port, with a bucket. Can be stopped and started again on the same port and data (failure tests).
/// </summary>
public sealed class S3Server : IDisposable
{
    public const string Bucket = "shippyar-test";
    private readonly string _data = Directory.CreateTempSubdirectory("s3rver-").FullName;
    private readonly string _packageDir;
    private Process? _process;

    public S3Server()
    {
        _packageDir = Path.Combine(RepoRoot(), "tests", "s3");
        if (!File.Exists(Path.Combine(_packageDir, "node_modules", ".bin", "s3rver"))) Run("npm", "install --no-audit --no-fund", _packageDir);
        Port = PostgresSandbox.FreeLoopbackPort();
        Start();
        using var client = S3ClientFactory.Create(Options());
        client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }).GetAwaiter().GetResult();
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public S3RepositoryOptions Options(string storageClass = "STANDARD", int partSize = 5 * 1024 * 1024, int maxRetries = 1) => new()
    {
        Endpoint = Endpoint, ForcePathStyle = true, AccessKey = "S3RVER", SecretKey = "S3RVER", StorageClass = storageClass,
        PartSize = partSize, Concurrency = 3, MaxRetries = maxRetries,
    };

    public string Url(string prefix) => $"s3://{Bucket}/{prefix}";

    public void Start()
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = _packageDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "node_modules/.bin/s3rver", "-d", _data, "-a", "127.0.0.1", "-p", Port.ToString(), "--silent" }) psi.ArgumentList.Add(a);
        // Without the legacy provider, listings with a continuation token answer 500 on Node 20.
        psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var tcp = new TcpClient("127.0.0.1", Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        throw new InvalidOperationException("s3rver did not start");
    }

    public void Stop()
    {
        if (_process is null) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        _process = null;
    }

    private static void Run(string program, string args, string dir)
    {
        var psi = new ProcessStartInfo(program, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {args} failed: {err.Result}");
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "ShippyarDr.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("ShippyarDr.sln not found");
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_data, true); } catch (IOException) { }
    }
}
