using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace ShippyarDr.PowerShell.Infrastructure;

/// <summary>Lets a DBA write durations the way runbooks say them: 26h, 90m, 7d, 1.5h, or any TimeSpan.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly Regex Shorthand = new(@"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (value is TimeSpan) return value;
        // Unquoted, PowerShell parses 90s as a [short] and 7d as a [decimal] (numeric literal suffixes), so those
        // types can only have come from a DBA writing seconds and days.
        if (value is short seconds) return TimeSpan.FromSeconds(seconds);
        // Zero needs no unit ("no limit" where a parameter says so).
        if (value is int or long && Convert.ToInt64(value, CultureInfo.InvariantCulture) == 0 || value is "0") return TimeSpan.Zero;
        if (value is decimal days) return TimeSpan.FromDays((double)days);
        if (value is string s)
        {
            var m = Shorthand.Match(s);
            if (m.Success)
            {
                var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                return m.Groups[2].Value.ToLowerInvariant() switch
                {
                    "s" => TimeSpan.FromSeconds(n),
                    "m" or "min" => TimeSpan.FromMinutes(n),
                    "h" => TimeSpan.FromHours(n),
                    "d" => TimeSpan.FromDays(n),
                    _ => TimeSpan.FromDays(7 * n),
                };
            }
            if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var ts)) return ts;
        }
        throw new ArgumentTransformationMetadataException(
            $"'{value}' is not a duration. Use a number with s, m, h, d or w (e.g. 26h, 7d), or a TimeSpan.");
    }
}
