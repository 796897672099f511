using ShippyarDr.Diagnostics;

namespace ShippyarDr.Audit;

/// <summary>
/// Writes audit records so that auditing never fails an operation: a store that does not take a record gets a
/// warning, the record goes to the local <see cref="AuditSpool"/>, and the next record that store takes brings the
/// spooled ones with it.
/// </summary>
public sealed class AuditTrail
{
    private readonly IOperationReporter _reporter;
    private readonly AuditSpool _spool;

    public AuditTrail(IOperationReporter reporter, AuditSpool? spool = null)
    {
        _reporter = reporter;
        _spool = spool ?? AuditSpool.Default();
    }

    /// <summary>Writes <paramref name="record"/>, then what was spooled for the store; true when the store took it.</summary>
    public bool Write(IAuditStore store, AuditRecord record, CancellationToken cancel = default)
    {
        try
        {
            store.Append(record, cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            Spool(store, record, e);
            return false;
        }
        SendSpooled(store, cancel);
        return true;
    }

    private void SendSpooled(IAuditStore store, CancellationToken cancel)
    {
        var sent = 0;
        foreach (var (file, spooled) in Pending(store))
        {
            try
            {
                store.Append(spooled, cancel);
                AuditSpool.Remove(file);
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                _reporter.Warning($"Audit records kept in {_spool.Directory} could not all be sent to {store.Key} ({SecretRedactor.Redact(e.Message)}); they are sent with its next record.");
                break;
            }
        }
        if (sent > 0) _reporter.Verbose($"Sent {sent} audit record(s) kept in {_spool.Directory} to {store.Key}.");
    }

    private IReadOnlyList<(string File, AuditRecord Record)> Pending(IAuditStore store)
    {
        try { return _spool.Pending(store.Key); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private void Spool(IAuditStore store, AuditRecord record, Exception failure)
    {
        var why = SecretRedactor.Redact(failure.Message);
        try
        {
            var file = _spool.Save(store.Key, record);
            _reporter.Warning($"The audit record of this {record.Operation} could not be written to {store.Key} ({why}). It is kept in {file} and sent with the next record written there.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _reporter.Warning($"The audit record of this {record.Operation} could not be written to {store.Key} ({why}), nor kept in {_spool.Directory} ({e.Message}): it is lost.");
        }
    }
}
