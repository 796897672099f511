using System.Diagnostics;

namespace ShippyarDr.Diagnostics;

/// <summary>Calls a progress callback at most a few times a second: WriteProgress is not free.</summary>
internal sealed class ProgressThrottle
{
    private readonly Action<long> _report;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastMs = -1000;

    public ProgressThrottle(Action<long> report) => _report = report;

    public void Report(long value)
    {
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastMs < 250) return;
        _lastMs = now;
        _report(value);
    }
}
