namespace ShippyarDr;

/// <summary>Alerting level for monitoring: OK, Warning (look at it today), Alert (act now).</summary>
public enum BackupHealth
{
    OK,
    Warning,
    Alert,
}
