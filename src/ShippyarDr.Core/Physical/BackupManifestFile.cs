using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.Physical;

/// <summary>
/// PostgreSQL's backup_manifest (PostgreSQL 13 and newer, format version 1 or 2): every file of the backup with its
/// size and checksum, the WAL ranges a restore needs, and the SHA-256 of the manifest itself (Manifest-Checksum, over
/// everything before its own line), as pg_verifybackup reads it. Paths the server could not write as UTF-8 come
/// hex-encoded (Encoded-Path).
/// </summary>
public sealed class BackupManifestFile
{
    private BackupManifestFile() { }

    public int Version { get; private init; }
    public string? SystemIdentifier { get; private init; }
    /// <summary>By path relative to the data directory (tablespaces under pg_tblspc/&lt;oid&gt;/).</summary>
    public IReadOnlyDictionary<string, Entry> Files { get; private init; } = new Dictionary<string, Entry>();
    public IReadOnlyList<WalRange> WalRanges { get; private init; } = Array.Empty<WalRange>();
    /// <summary>Whether Manifest-Checksum matches the manifest's bytes.</summary>
    public bool ChecksumMatches { get; private init; }

    public sealed record Entry(long Size, string Algorithm, string? Checksum);
    public sealed record WalRange(int Timeline, string StartLsn, string EndLsn);

    /// <summary>Parses a manifest; <paramref name="where"/> names it in errors (InvalidData, BackupManifestInvalid).</summary>
    public static BackupManifestFile Parse(byte[] bytes, string where)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            var files = new Dictionary<string, Entry>(StringComparer.Ordinal);
            var ranges = new List<WalRange>();
            int version = 0;
            string? sysid = null, stated = null;
            Expect(ref reader, JsonTokenType.StartObject);
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                Next(ref reader);
                switch (name)
                {
                    case "PostgreSQL-Backup-Manifest-Version": version = reader.GetInt32(); break;
                    case "System-Identifier": sysid = reader.TokenType == JsonTokenType.Number ? reader.GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) : reader.GetString(); break;
                    case "Files":
                        Require(reader.TokenType == JsonTokenType.StartArray, "Files is not a list");
                        while (Next(ref reader) == JsonTokenType.StartObject)
                        {
                            var (path, entry) = ReadFile(ref reader);
                            if (!files.TryAdd(path, entry)) throw new JsonException($"it lists {path} twice");
                        }
                        break;
                    case "WAL-Ranges":
                        Require(reader.TokenType == JsonTokenType.StartArray, "WAL-Ranges is not a list");
                        while (Next(ref reader) == JsonTokenType.StartObject) ranges.Add(ReadRange(ref reader));
                        break;
                    case "Manifest-Checksum": stated = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }
            Require(version is 1 or 2, $"its version is {version}, not 1 or 2");
            Require(stated is not null, "it has no Manifest-Checksum");
            return new BackupManifestFile
            {
                Version = version, SystemIdentifier = sysid, Files = files, WalRanges = ranges,
                ChecksumMatches = string.Equals(Checksum(bytes), stated, StringComparison.OrdinalIgnoreCase),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.BackupManifestInvalid, $"The backup_manifest {where} cannot be read: {e.Message}", where, e);
        }
    }

    /// <summary>SHA-256 of everything up to and including the second-to-last newline, which ends the line before
    /// Manifest-Checksum (pg_verifybackup's rule).</summary>
    private static string? Checksum(byte[] bytes)
    {
        var ultimate = Array.LastIndexOf(bytes, (byte)'\n');
        var penultimate = ultimate > 0 ? Array.LastIndexOf(bytes, (byte)'\n', ultimate - 1) : -1;
        return penultimate < 0 ? null : Convert.ToHexString(SHA256.HashData(bytes.AsSpan(0, penultimate + 1))).ToLowerInvariant();
    }

    private static (string, Entry) ReadFile(ref Utf8JsonReader reader)
    {
        string? path = null, algorithm = null, checksum = null;
        long? size = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Next(ref reader);
            switch (name)
            {
                case "Path": path = reader.GetString(); break;
                case "Encoded-Path": path = Encoding.UTF8.GetString(Convert.FromHexString(reader.GetString() ?? "")); break;
                case "Size": size = reader.GetInt64(); break;
                case "Checksum-Algorithm": algorithm = reader.GetString(); break;
                case "Checksum": checksum = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        if (path is null || size is null) throw new JsonException("a file has no Path or no Size");
        return (path, new Entry(size.Value, algorithm ?? "NONE", checksum));
    }

    private static WalRange ReadRange(ref Utf8JsonReader reader)
    {
        int? timeline = null;
        string? start = null, end = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Next(ref reader);
            switch (name)
            {
                case "Timeline": timeline = reader.GetInt32(); break;
                case "Start-LSN": start = reader.GetString(); break;
                case "End-LSN": end = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        if (timeline is null || start is null || end is null) throw new JsonException("a WAL range lacks Timeline, Start-LSN or End-LSN");
        return new WalRange(timeline.Value, start, end);
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) => reader.Read() ? reader.TokenType : throw new JsonException("it ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type) => Require(Next(ref reader) == type, $"it does not start with {type}");

    private static void Require(bool condition, string why)
    {
        if (!condition) throw new JsonException(why);
    }
}
