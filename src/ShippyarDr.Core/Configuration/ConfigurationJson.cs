using System.Text.Json;
using System.Text.Json.Serialization;
using ShippyarDr.Diagnostics;
using Document = ShippyarDr.Configuration.ConfigurationDocument;

namespace ShippyarDr.Configuration;

/// <summary>The file as JSON: { "version": 1, "default": "prod", "repositories": { "prod": { "location": … } } }.</summary>
internal sealed class ConfigurationDocument
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public string? Default { get; init; }
    public Dictionary<string, RepositoryRegistration> Repositories { get; init; } = new();
}

// Source-generated: the CLI may be compiled ahead of time, where reflection-based serialization is not available.
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ConfigurationDocument))]
internal sealed partial class ConfigurationJson : JsonSerializerContext
{
    // Property names that hold secrets in other tools' files: someone pasting one in gets told, not "unknown property".
    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "passphrase", "password", "secret", "secretKey", "secretAccessKey", "awsSecretAccessKey", "aws_secret_access_key",
        "accessKey", "accessKeyId", "awsAccessKeyId", "aws_access_key_id", "sessionToken", "aws_session_token", "token", "privateKey",
    };

    /// <summary>The document in <paramref name="content"/>; every problem is ConfigurationInvalid or SecretNotAllowed naming
    /// <paramref name="file"/> and where in it.</summary>
    public static ConfigurationDocument Parse(byte[] content, string file)
    {
        try
        {
            using (var document = JsonDocument.Parse(content))
                Inspect(document.RootElement, "$", file);
            var parsed = JsonSerializer.Deserialize(content, Default.ConfigurationDocument)
                ?? throw Invalid(file, "it holds null instead of a configuration object.");
            if (parsed.Version > Document.CurrentVersion)
                throw Invalid(file, $"it has version {parsed.Version}, written by a newer ShippyarDr (this one reads version {Document.CurrentVersion}).");
            return parsed;
        }
        catch (JsonException e)
        {
            // System.Text.Json counts lines from 0 and appends its own "Path: … | LineNumber: …".
            var text = e.Message;
            var cut = text.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut > 0) text = text[..cut];
            var where = e.LineNumber is { } line ? $"line {line + 1}" + (string.IsNullOrEmpty(e.Path) ? "" : $" ({e.Path})") : "";
            throw Invalid(file, $"{where}{(where.Length > 0 ? ": " : "")}{text}", e);
        }
    }

    public static byte[] Serialize(ConfigurationDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, Default.ConfigurationDocument);

    /// <summary>Secrets and duplicate names anywhere: the typed reader would take the last of two equal keys silently.</summary>
    private static void Inspect(JsonElement element, string path, string file)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray()) Inspect(item, $"{path}[{i++}]", file);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (SecretNames.Contains(property.Name))
                throw new ShippyarException(ShippyarErrorKind.InvalidData, ErrorIds.SecretNotAllowed,
                    $"Configuration file {file} holds a secret at {at}: it may hold only references to secrets (a passphrase file, an environment variable name, "
                    + "an AWS profile, a key file), never a secret itself. Remove it, put the secret in a file or variable, and refer to that.", file);
            if (!seen.Add(property.Name)) throw Invalid(file, $"{at} appears twice.");
            Inspect(property.Value, at, file);
        }
    }

    public static ShippyarException Invalid(string file, string problem, Exception? inner = null)
        => new(ShippyarErrorKind.InvalidData, ErrorIds.ConfigurationInvalid, $"Configuration file {file} cannot be used: {problem}", file, inner);
}
