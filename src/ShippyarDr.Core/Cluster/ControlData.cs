using ShippyarDr.Diagnostics;
using ShippyarDr.Tools;

namespace ShippyarDr.Cluster;

/// <summary>
/// A data directory's pg_control as pg_controldata prints it ("Database cluster state", "Latest checkpoint location",
/// "max_connections setting"…): what a restore needs to know before it starts a server there, read without one.
/// </summary>
public sealed class ControlData
{
    private readonly IReadOnlyDictionary<string, string> _values;

    private ControlData(IReadOnlyDictionary<string, string> values) => _values = values;

    /// <summary>Every line, by its label.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    public string? this[string label] => _values.GetValueOrDefault(label);

    /// <summary>A number pg_controldata printed, or null.</summary>
    public long? Number(string label) => long.TryParse(this[label], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The settings the primary ran with that a server replaying its WAL must match or exceed (as a standby must).</summary>
    public IReadOnlyDictionary<string, long> RequiredSettings()
    {
        var required = new Dictionary<string, long>();
        foreach (var (label, setting) in new[]
                 {
                     ("max_connections setting", "max_connections"), ("max_worker_processes setting", "max_worker_processes"),
                     ("max_wal_senders setting", "max_wal_senders"), ("max_prepared_xacts setting", "max_prepared_transactions"),
                     ("max_locks_per_xact setting", "max_locks_per_transaction"),
                 })
            if (Number(label) is { } value) required[setting] = value;
        return required;
    }

    public static ControlData Read(string dataDirectory)
    {
        var tool = PgToolLocator.Find("pg_controldata");
        using var process = PgProcess.Start(tool, new[] { "-D", dataDirectory }, new Dictionary<string, string> { ["LC_ALL"] = "C" }, redirectOutput: true);
        var output = new StreamReader(process.StandardOutput).ReadToEnd();
        process.WaitForSuccess($"Reading pg_control of {dataDirectory}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        if (values.Count == 0)
            throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.PgToolFailed, $"pg_controldata printed nothing readable for {dataDirectory}.", dataDirectory);
        return new ControlData(values);
    }
}
