using System.Text.Json;
using System.Text.Json.Serialization;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Wal.Async;

/// <summary>
/// The local directory the asynchronous modes work through, one folder per cluster (its system identifier) so two
/// clusters sharing a spool never read each other's confirmations:
/// <code>
///   &lt;spool&gt;/&lt;system identifier&gt;/push/&lt;name&gt;.want    a wal-push waiting for &lt;name&gt; (holds its path)
///   &lt;spool&gt;/&lt;system identifier&gt;/push/&lt;name&gt;.ok      the background pusher stored &lt;name&gt; durably
///   &lt;spool&gt;/&lt;system identifier&gt;/push/&lt;name&gt;.error   it failed (error id and message), until the next try
///   &lt;spool&gt;/&lt;system identifier&gt;/fetch/&lt;name&gt;        a prefetched, checked file, with &lt;name&gt;.ok (its SHA-256)
///   &lt;spool&gt;/&lt;system identifier&gt;/push.lock, fetch.lock  held by the one background process of each kind
/// </code>
/// Every file appears by rename, so a reader sees the whole of it or nothing. The spool is owned by the server's OS
/// account (0700); nothing in it is needed for durability: losing it only means pushing or fetching again.
/// </summary>
public sealed class WalSpool
{
    public const string OkSuffix = ".ok";
    public const string ErrorSuffix = ".error";
    public const string WantSuffix = ".want";

    public WalSpool(string directory, string systemIdentifier)
    {
        Root = Path.Combine(Path.GetFullPath(directory), systemIdentifier);
        PushDirectory = Path.Combine(Root, "push");
        FetchDirectory = Path.Combine(Root, "fetch");
        try
        {
            foreach (var dir in new[] { Root, PushDirectory, FetchDirectory })
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
                else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ShippyarException(ShippyarErrorKind.PermissionDenied, ErrorIds.WalSpoolInvalid,
                $"Spool directory {directory} cannot be used: {e.Message} (it must be writable by the server's OS account).", directory, e);
        }
    }

    public string Root { get; }
    public string PushDirectory { get; }
    public string FetchDirectory { get; }

    /// <summary>The lock of one kind of background process, or null when another process holds it.</summary>
    public FileStream? TryLock(string kind)
    {
        try { return new FileStream(LockPath(Root, kind), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }

    private static string LockPath(string root, string kind) => Path.Combine(root, kind + ".lock");

    /// <summary>Whether a background process of this kind holds the lock of a cluster's spool in <paramref name="directory"/>,
    /// asked without creating anything (the spool may not exist, or may be about to be removed).</summary>
    public static bool IsLocked(string directory, string systemIdentifier, string kind)
    {
        var path = LockPath(Path.Combine(Path.GetFullPath(directory), systemIdentifier), kind);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>Whether a background process of this kind runs now.</summary>
    public bool IsLocked(string kind)
    {
        using var probe = TryLock(kind);
        return probe is null;
    }

    /// <summary>Writes a small file by rename (never seen half-written).</summary>
    public static void WriteFile(string path, byte[] content)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():n}");
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    public static T? ReadJson<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), type); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException) { return null; }
    }
}

/// <summary>What the background pusher leaves for a wal-push: the outcome, or the failure, for one file.</summary>
public sealed class SpoolRecord
{
    public string Name { get; set; } = "";
    /// <summary>The file it is about, as it was when pushed: a confirmation of another file of the same name does not count.</summary>
    public long Size { get; set; }
    public long ModifiedTicks { get; set; }
    public string? Sha256 { get; set; }
    public WalPushOutcome? Outcome { get; set; }
    public string? ErrorId { get; set; }
    public ShippyarErrorKind? ErrorKind { get; set; }
    public string? Message { get; set; }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(SpoolRecord))]
internal sealed partial class SpoolJson : JsonSerializerContext;
