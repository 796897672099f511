namespace ShippyarDr.Repository;

/// <summary>
/// An object being written by <see cref="IBackupRepository.CreateAtomically"/>: its content goes to
/// <see cref="Content"/>, and it exists under its key only once <see cref="Publish"/> returned. Disposing it without
/// publishing (a failure on the way) leaves nothing behind.
/// </summary>
public interface IPendingObject : IDisposable
{
    /// <summary>Where the content goes. Disposing this stream does not publish.</summary>
    Stream Content { get; }

    /// <summary>
    /// Makes the object visible under its key, durably: on a filesystem the file was fsync'd, linked into place (never
    /// replacing anything) and its directory fsync'd; on S3 the store checked every part's Content-MD5 and the
    /// upload's ETag matched what was sent. Throws ObjectExists when the key exists by then.
    /// </summary>
    void Publish();
}
