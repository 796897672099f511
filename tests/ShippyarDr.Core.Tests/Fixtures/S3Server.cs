using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Amazon.S3;
using Amazon.S3.Model;
using ShippyarDr.Repository.S3;
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
    // The script itself, not node_modules/.bin/s3rver: the .bin link can exist while the package is incomplete.
    private const string Script = "node_modules/s3rver/bin/s3rver.js";
    private readonly string _packageDir = Path.Combine(RepoRoot(), "tests", "s3");
    // The last lines s3rver wrote to stderr, so a failed start says why.
    private readonly ConcurrentQueue<string> _stderr = new();
    private Process? _process;

    public S3Server()
    {
        try
        {
            if (!File.Exists(Path.Combine(_packageDir, Script))) Run("npm", "install --no-audit --no-fund", _packageDir);
            Port = PostgresSandbox.FreeLoopbackPort();
            Start();
            using var client = S3ClientFactory.Create(Options());
            client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }).GetAwaiter().GetResult();
        }
        catch
        {
            // xunit never disposes a fixture whose constructor threw: clean up here.
            Dispose();
            throw;
        }
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public S3RepositoryOptions Options(string storageClass = "STANDARD", int partSize = 5 * 1024 * 1024, int maxRetries = 1) => new()
    {
        Endpoint = Endpoint, ForcePathStyle = true, AccessKey = "S3RVER", SecretKey = "S3RVER", StorageClass = storageClass,
        PartSize = partSize, Concurrency = 3, MaxRetries = maxRetries,
    };

    public string Url(string prefix) => $"s3://{Bucket}/{prefix}";

    public bool IsRunning => _process is not null;

    public void Start()
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = _packageDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Script, "-d", _data, "-a", "127.0.0.1", "-p", Port.ToString(), "--silent" }) psi.ArgumentList.Add(a);
        // Without the legacy provider, listings with a continuation token answer 500 on Node 20.
        psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        _stderr.Clear();
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            _stderr.Enqueue(e.Data);
            while (_stderr.Count > 20) _stderr.TryDequeue(out string? _);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? why = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var tcp = new TcpClient("127.0.0.1", Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
            if (_process.HasExited)
            {
                why = $"exited with code {_process.ExitCode}";
                break;
            }
        }
        why ??= "no connection within 20 s";
        Stop();
        throw new InvalidOperationException($"s3rver did not start on port {Port} ({why}). stderr:\n{string.Join("\n", _stderr)}");
    }

    public void Stop()
    {
        if (_process is null) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        // Only the parameterless WaitForExit drains the redirected output, so the stderr lines are complete.
        if (_process.WaitForExit(10_000)) _process.WaitForExit();
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
