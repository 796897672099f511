using ShippyarDr.Diagnostics;

namespace ShippyarDr.Audit;

/// <summary>Where audit records go: a catalog database, or the repository's own append-only log.</summary>
public interface IAuditStore
{
    /// <summary>Names the store in messages and keys its spool: equal keys mean the same store.</summary>
    string Key { get; }

    /// <summary>Adds one record. Adding a record whose id is there already changes nothing (spooled records are sent again).</summary>
    void Append(AuditRecord record, CancellationToken cancel = default);

    /// <summary>The records that match, newest first; a record that cannot be read is a warning to <paramref name="reporter"/>.</summary>
    IReadOnlyList<AuditRecord> Read(AuditQuery query, IOperationReporter? reporter = null, CancellationToken cancel = default);
}
