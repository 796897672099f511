using Amazon.S3.Model;

namespace ShippyarDr.Repository.S3;

/// <summary>x-amz-object-lock-mode and x-amz-object-lock-retain-until-date on the requests that create objects.</summary>
internal static class S3ObjectLockHeaders
{
    public static void Apply(PutObjectRequest request, ObjectLock? objectLock)
    {
        if (objectLock is null) return;
        request.ObjectLockMode = Mode(objectLock);
        request.ObjectLockRetainUntilDate = objectLock.Until.UtcDateTime;
    }

    public static void Apply(InitiateMultipartUploadRequest request, ObjectLock? objectLock)
    {
        if (objectLock is null) return;
        request.ObjectLockMode = Mode(objectLock);
        request.ObjectLockRetainUntilDate = objectLock.Until.UtcDateTime;
    }

    private static Amazon.S3.ObjectLockMode Mode(ObjectLock objectLock)
        => objectLock.Mode == ObjectLockMode.Governance ? Amazon.S3.ObjectLockMode.Governance : Amazon.S3.ObjectLockMode.Compliance;
}
