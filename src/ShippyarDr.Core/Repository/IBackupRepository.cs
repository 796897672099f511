namespace ShippyarDr.Repository;

/// <summary>
/// Where backups live: a directory or an S3 prefix. Keys are '/'-separated paths relative to the repository root,
/// laid out by <see cref="BackupLayout"/>. A backup is complete in a repository only when its manifest is there, so
/// implementations make <see cref="WriteAtomically"/> all-or-nothing. Implementations never reach outside their root:
/// no key climbs out of it, and symbolic links inside it are neither listed nor followed.
/// </summary>
public interface IBackupRepository
{
    /// <summary>How the user named it: a path or a URL.</summary>
    string Location { get; }

    /// <summary>A stream that writes a new object; the object is complete when the stream is disposed without error.
    /// An object that exists already is never overwritten (ErrorId ObjectExists where the store can tell).</summary>
    Stream Create(string key);

    /// <summary>
    /// A new object that appears under its key whole and durable, or not at all (what the WAL archive needs: a crash
    /// never leaves a half-written segment under its final name). Nothing is visible until
    /// <see cref="IPendingObject.Publish"/> returns; disposing it unpublished discards what was written. Publish fails
    /// with ErrorId ObjectExists, leaving the existing object untouched, when the key exists by then.
    /// </summary>
    IPendingObject CreateAtomically(string key);

    Stream OpenRead(string key);

    bool Exists(string key);

    /// <summary>Writes a small object so that readers see either nothing or all of it (a manifest, the descriptor).
    /// Without <paramref name="replace"/> an existing object is an error, never overwritten.</summary>
    void WriteAtomically(string key, ReadOnlySpan<byte> content, bool replace = false);

    /// <summary>Every key under a prefix ("" for all), in no particular order. Entries it cannot read are passed over.</summary>
    IEnumerable<string> List(string prefix);

    /// <summary>The keys directly in <paramref name="folder"/> (a prefix ending with '/') whose names start with
    /// <paramref name="namePrefix"/>: one directory read, or one listing request on S3, however large the folder.</summary>
    IEnumerable<string> ListStartingWith(string folder, string namePrefix);

    /// <summary>The immediate children of a prefix: object names, and folder names ending with '/'.</summary>
    IEnumerable<string> ListChildren(string prefix);

    /// <summary>Deletes one object; a missing one is not an error.</summary>
    void Delete(string key);

    /// <summary>Deletes every object under a prefix; missing objects are not an error.</summary>
    void DeletePrefix(string prefix);

    /// <summary>Deletes these objects (S3: up to 1000 per request); missing ones are not an error. Every object that could
    /// be deleted is, and then one error names those that could not: ErrorId ObjectLocked when the store refused them all
    /// as locked (saying until when), RepositoryDeleteFailed otherwise.</summary>
    void DeleteMany(IEnumerable<string> keys)
    {
        foreach (var key in keys) Delete(key);
    }

    /// <summary>Until when the store refuses to delete an object (S3 Object Lock retention, asked of the store); null when it
    /// is not locked, is missing, or the store has no Object Lock.</summary>
    DateTimeOffset? LockedUntil(string key) => null;
}
