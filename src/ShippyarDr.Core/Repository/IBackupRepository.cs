namespace ShippyarDr.Repository;

/// <summary>
/// Where backups live. Keys are '/'-separated paths relative to the repository root:
/// "&lt;database&gt;/&lt;backup id&gt;/&lt;file&gt;". A backup is complete in a repository only when its manifest is there,
/// so implementations must make <see cref="WriteAtomically"/> all-or-nothing.
/// </summary>
public interface IBackupRepository
{
    /// <summary>How the user named it: a path or a URL.</summary>
    string Location { get; }

    /// <summary>A stream that writes a new object; the object is complete when the stream is disposed without error.</summary>
    Stream Create(string key);

    Stream OpenRead(string key);

    bool Exists(string key);

    /// <summary>Writes a small object so that readers see either nothing or all of it (the manifest).</summary>
    void WriteAtomically(string key, ReadOnlySpan<byte> content);

    /// <summary>Every key under a prefix ("" for all), in no particular order.</summary>
    IEnumerable<string> List(string prefix);

    /// <summary>Deletes every object under a prefix; missing objects are not an error.</summary>
    void DeletePrefix(string prefix);
}
