namespace ShippyarDr.Cli;

/// <summary>A command line as "--name value" options, "--flag" switches and positional arguments, checked against what a command accepts.</summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private readonly List<string> _positionals = new();

    public IReadOnlyList<string> Positionals => _positionals;

    /// <param name="options">Options that take a value (those also in <paramref name="repeatable"/> may be given more than once).</param>
    /// <param name="flags">Options that take none.</param>
    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags,
        IReadOnlyCollection<string>? repeatable = null)
    {
        var result = new CliArguments();
        var positionals = result._positionals;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positionals.AddRange(args.Skip(i + 1));
                break;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positionals.Add(arg);
                continue;
            }
            var (name, inline) = arg.IndexOf('=') is var eq and > 0 ? (arg[2..eq], arg[(eq + 1)..]) : (arg[2..], null);
            if (flags.Contains(name))
            {
                if (inline is not null) throw new CliUsageException($"--{name} takes no value.");
                result._flags.Add(name);
                continue;
            }
            if (!options.Contains(name)) throw new CliUsageException($"Unknown option --{name}.");
            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new CliUsageException($"--{name} needs a value."));
            if (!result._values.TryGetValue(name, out var list)) result._values[name] = list = new List<string>();
            if (list.Count > 0 && repeatable?.Contains(name) != true) throw new CliUsageException($"--{name} is given more than once.");
            list.Add(value);
        }
        return result;
    }

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v[0] : null;
    public IReadOnlyList<string>? GetAll(string name) => _values.TryGetValue(name, out var v) ? v : null;
    public bool Has(string flag) => _flags.Contains(flag);

    public int? GetInt(string name, int min, int max)
    {
        if (Get(name) is not { } text) return null;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n : throw new CliUsageException($"--{name} must be a whole number from {min} to {max} (got '{text}').");
    }

    /// <summary>"90", "90s", "5m", "1h" (seconds without a unit).</summary>
    public TimeSpan? GetDuration(string name)
    {
        if (Get(name) is not { } text) return null;
        var (number, unit) = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (!double.TryParse(number, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new CliUsageException($"--{name} must be a positive duration such as 30s, 5m or 1h (got '{text}').");
        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => throw new CliUsageException($"--{name}: '{unit}' is not a unit (s, m or h)."),
        };
    }
}

/// <summary>A command line that cannot be run; exit code Usage.</summary>
public sealed class CliUsageException(string message) : Exception(message);
