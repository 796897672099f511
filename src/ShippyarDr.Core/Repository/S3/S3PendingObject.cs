using ShippyarDr.Diagnostics;
using ShippyarDr.Streams;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// A new S3 object that exists only once it is complete: parts (or the single PUT) carry their Content-MD5, so the
/// store refuses a body that arrived different, and the completed object's ETag is checked against those digests. S3
/// has no create-if-absent every store honours (s3rver overwrites silently), so the key is checked just before the
/// upload completes; an object that completed with the wrong ETag is deleted again.
/// </summary>
internal sealed class S3PendingObject : IPendingObject
{
    private readonly S3Repository _repository;
    private readonly string _key;
    private readonly S3UploadStream _upload;
    private bool _done;

    public S3PendingObject(S3Repository repository, string key, S3UploadStream upload)
    {
        (_repository, _key, _upload) = (repository, key, upload);
        Content = new NonClosingStream(upload);
    }

    public Stream Content { get; }

    public void Publish()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        if (_repository.Exists(_key))
        {
            _upload.Abort();
            throw new ShippyarException(ShippyarErrorKind.WriteError, ErrorIds.ObjectExists, $"{_repository.Location}/{_key} already exists and is never overwritten.", _key);
        }
        try
        {
            _upload.Dispose();
        }
        catch (ShippyarException e) when (e.ErrorId == ErrorIds.S3ObjectCorrupted)
        {
            try { _repository.Delete(_key); }
            catch (ShippyarException) { /* the error below says the object is not to be trusted */ }
            throw;
        }
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _upload.Abort();
        _upload.Dispose();
    }
}
