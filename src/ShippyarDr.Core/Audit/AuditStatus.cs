namespace ShippyarDr.Audit;

/// <summary>How an audited operation ended.</summary>
public enum AuditStatus
{
    Succeeded,
    Failed,
    Cancelled,
}
