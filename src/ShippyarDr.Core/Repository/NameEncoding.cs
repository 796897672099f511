using System.Text;

namespace ShippyarDr.Repository;

/// <summary>
/// A database name as one key segment, so that every name PostgreSQL accepts ("a/b", ".", "..", quotes, unicode, a
/// name that differs from another only in case) round-trips and no name can climb out of its folder: lowercase ASCII
/// letters, digits, '_' and '-' stay as they are, every other UTF-8 byte becomes %XX (uppercase hex). Uppercase letters
/// are escaped too, so two names never share a folder on a case-insensitive filesystem. Each name has exactly one
/// encoding: decoding refuses anything <see cref="Encode"/> would not have written.
/// </summary>
public static class NameEncoding
{
    public static string Encode(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (IsLiteral(b)) sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>The name a segment encodes, or null when the segment is not the canonical encoding of a valid name.</summary>
    public static string? Decode(string segment)
    {
        if (segment.Length == 0) return null;
        var bytes = new List<byte>(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c < 128 && IsLiteral((byte)c)) { bytes.Add((byte)c); continue; }
            if (c != '%' || i + 2 >= segment.Length || !IsUpperHex(segment[i + 1]) || !IsUpperHex(segment[i + 2])) return null;
            var b = Convert.ToByte(segment.Substring(i + 1, 2), 16);
            if (IsLiteral(b)) return null;
            bytes.Add(b);
            i += 2;
        }
        try
        {
            var name = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return DatabaseName.IsValid(name) ? name : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsLiteral(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'-';

    private static bool IsUpperHex(char c) => c is >= '0' and <= '9' or >= 'A' and <= 'F';
}
