namespace ShippyarDr.Authentication;

/// <summary>Makes the object that authenticates a manifest (a signature, a MAC), written beside it before it.</summary>
public interface IManifestSealer
{
    /// <summary>The object's name in the backup folder (manifest.json.sig, manifest.json.mac).</summary>
    string FileName { get; }

    byte[] Seal(ReadOnlySpan<byte> manifest);
}
