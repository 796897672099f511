using System.Text.RegularExpressions;
using ShippyarDr.Repository;

namespace ShippyarDr.Wal;

/// <summary>
/// Where the WAL archive sits in a repository, under the prefix backups never walk:
/// <code>
///   wal/&lt;system identifier&gt;/archive.json                         the archive's record: cluster, version, wal_segment_size
///   wal/&lt;system identifier&gt;/&lt;timeline&gt;/&lt;timeline&gt;.history-&lt;sha&gt;.manifest   a history file's sealed manifest
///   wal/&lt;system identifier&gt;/&lt;timeline&gt;/&lt;log&gt;/&lt;name&gt;-&lt;sha&gt;.manifest     a segment's (or .partial's, .backup's)
///   wal/&lt;system identifier&gt;/&lt;timeline&gt;/&lt;log&gt;/&lt;name&gt;-&lt;sha&gt;.&lt;nonce&gt;.zst[.gpg]   its data
/// </code>
/// One archive per cluster (its system identifier), so two clusters never interleave; one folder per timeline and
/// log, so no folder holds more than a log's segments (256 of 16 MiB) and a push looks up its name with one small
/// listing. &lt;sha&gt; is the first 16 hex digits of the plain file's SHA-256, so a push recognises an identical file
/// already archived without downloading anything. The data object's name adds a random nonce: every push writes a
/// name of its own, so a push never has to replace or delete a data object another push may have written; the
/// manifest (written last, never replaced) names the one object that counts. Every key is built here.
/// </summary>
public static partial class WalLayout
{
    public const string RecordName = "archive.json";
    public const string ManifestSuffix = ".manifest";
    public const int ShaPrefixLength = 16;

    public static string ArchivePrefix(string systemIdentifier)
        => SystemIdentifierShape().IsMatch(systemIdentifier) ? $"{BackupLayout.WalRoot}{systemIdentifier}/"
            : throw new ArgumentException($"'{systemIdentifier}' is not a system identifier.", nameof(systemIdentifier));

    public static string RecordKey(string systemIdentifier) => ArchivePrefix(systemIdentifier) + RecordName;

    /// <summary>The folder a file's objects sit in: its timeline's, and for segments its log's within it.</summary>
    public static string Folder(string systemIdentifier, WalFileName name) => name.Kind == WalFileKind.History
        ? $"{ArchivePrefix(systemIdentifier)}{name.Timeline:X8}/"
        : $"{ArchivePrefix(systemIdentifier)}{name.Timeline:X8}/{name.Log:X8}/";

    /// <summary>What every object of one archived file's name starts with in its folder.</summary>
    public static string NamePrefix(WalFileName name) => name.Name + "-";

    public static string ManifestKey(string systemIdentifier, WalFileName name, string plainSha256)
        => $"{Folder(systemIdentifier, name)}{NamePrefix(name)}{ShaPrefix(plainSha256)}{ManifestSuffix}";

    /// <summary>The data object's file name (in the same folder as its manifest).</summary>
    public static string DataName(WalFileName name, string plainSha256, string nonce, string storedExtension)
        => $"{NamePrefix(name)}{ShaPrefix(plainSha256)}.{nonce}{storedExtension}";

    public static string ShaPrefix(string plainSha256) => plainSha256[..ShaPrefixLength];

    /// <summary>Splits a key under wal/ into its archive, file name and checksum prefix; null for keys this layout does not write.</summary>
    public static WalKey? Parse(string key)
    {
        var m = KeyShape().Match(key);
        if (!m.Success || WalFileName.TryParse(m.Groups["name"].Value) is not { } name) return null;
        // The folders must be the ones this name goes in: a manifest moved elsewhere does not count there.
        var systemIdentifier = m.Groups["sysid"].Value;
        if (key[..(key.LastIndexOf('/') + 1)] != Folder(systemIdentifier, name)) return null;
        var manifest = m.Groups["manifest"].Success;
        return new WalKey(key, systemIdentifier, name, m.Groups["sha"].Value, manifest);
    }

    /// <summary>Whether a data object's file name is one this layout gives the file and checksum of a manifest.</summary>
    public static bool IsDataNameOf(string dataName, WalFileName name, string plainSha256)
        => BackupLayout.IsFileName(dataName) && dataName.StartsWith($"{NamePrefix(name)}{ShaPrefix(plainSha256)}.", StringComparison.Ordinal)
           && !dataName.EndsWith(ManifestSuffix, StringComparison.Ordinal);

    [GeneratedRegex(@"^[0-9]{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex SystemIdentifierShape();

    [GeneratedRegex(@"^wal/(?<sysid>[0-9]{1,20})/(?:[0-9A-F]{8}/){1,2}(?<name>[0-9A-F.a-z]+)-(?<sha>[0-9a-f]{16})(?:(?<manifest>\.manifest)|\.[0-9a-f]{8}(?:\.[a-z]+)*)$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}

/// <summary>One object of the WAL archive: the archive (system identifier), the PostgreSQL file it belongs to, the
/// first 16 hex digits of that file's SHA-256, and whether it is the manifest (or else data).</summary>
public sealed record WalKey(string Key, string SystemIdentifier, WalFileName Name, string ShaPrefix, bool IsManifest);
