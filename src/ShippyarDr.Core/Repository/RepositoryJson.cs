using System.Text.Json.Serialization;
using ShippyarDr.Authentication;
using ShippyarDr.Leftovers;

namespace ShippyarDr.Repository;

/// <summary>
/// The JSON of backup manifests and of the small files beside them, generated at build time: indented for people,
/// enums by name. Reflection-based serialization would build its metadata at run time, which the shippyar-dr
/// executable (compiled ahead of time) cannot do, and which costs every short-lived process tens of milliseconds.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(BackupInfo))]
[JsonSerializable(typeof(RepositoryDescriptor))]
[JsonSerializable(typeof(BackupLease))]
[JsonSerializable(typeof(VerificationRecord))]
[JsonSerializable(typeof(ManifestMac.MacFile))]
[JsonSerializable(typeof(ScratchClusterLeftovers.Marker))]
internal sealed partial class RepositoryJson : JsonSerializerContext;
