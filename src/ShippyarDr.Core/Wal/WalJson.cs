using System.Text.Json.Serialization;

namespace ShippyarDr.Wal;

/// <summary>
/// The WAL archive's JSON, generated at build time: wal-push runs once per segment in a fresh process, and
/// reflection-based serialization spends its first call building metadata (tens of milliseconds per process).
/// Manifests are one line (the seal covers that line); the archive record is indented for people.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(WalManifest))]
[JsonSerializable(typeof(WalSeal))]
internal sealed partial class WalJson : JsonSerializerContext;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(WalArchiveRecord))]
internal sealed partial class WalRecordJson : JsonSerializerContext;
