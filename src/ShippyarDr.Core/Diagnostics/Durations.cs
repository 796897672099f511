namespace ShippyarDr.Diagnostics;

/// <summary>Durations in messages, the way a DBA would say them: 450 ms, 2 s, 1.5 min, 5 min.</summary>
public static class Durations
{
    public static string Format(TimeSpan t) => t.TotalSeconds switch
    {
        < 1 => $"{t.TotalMilliseconds:0} ms",
        < 120 => $"{t.TotalSeconds:0.#} s",
        < 7200 => $"{t.TotalMinutes:0.#} min",
        _ => $"{t.TotalHours:0.#} h",
    };
}
