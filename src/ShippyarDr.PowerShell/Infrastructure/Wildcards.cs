using System.Management.Automation;
using ShippyarDr.Diagnostics;

namespace ShippyarDr.PowerShell.Infrastructure;

internal static class Wildcards
{
    /// <summary>A wildcard parameter's pattern, checked now: WildcardPattern reports a malformed one ("[") only when first matched.</summary>
    public static WildcardPattern Pattern(string value, string parameter)
    {
        var pattern = new WildcardPattern(value, WildcardOptions.IgnoreCase);
        try { pattern.IsMatch(""); }
        catch (WildcardPatternException e)
        {
            throw new ShippyarException(ShippyarErrorKind.InvalidArgument, ErrorIds.InvalidWildcard, $"-{parameter} '{value}' is not a valid wildcard pattern: {e.Message}", value, e);
        }
        return pattern;
    }
}
