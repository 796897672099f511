using System.Text.Json;
using System.Text.Json.Serialization;

namespace ShippyarDr.Configuration;

/// <summary>
/// How to reach an S3 (or S3-compatible) store, as a registration holds it and as a host overrides it: each value
/// given wins over the registered one. Turned into <see cref="Repository.S3.S3RepositoryOptions"/> by
/// <see cref="RepositorySettings"/>.
/// </summary>
public sealed record S3Settings
{
    public string? Endpoint { get; init; }
    public string? Region { get; init; }
    /// <summary>Path-style addressing; an endpoint implies it.</summary>
    public bool? PathStyle { get; init; }
    /// <summary>"AES256" or "aws:kms".</summary>
    public string? ServerSideEncryption { get; init; }
    public string? KmsKeyId { get; init; }
    /// <summary>How long a connection may go without progress.</summary>
    [JsonPropertyName("timeoutSeconds")]
    [JsonConverter(typeof(SecondsConverter))]
    public TimeSpan? Timeout { get; init; }
    /// <summary>Where the credentials come from; absent: the AWS default chain (environment, profile, instance role).</summary>
    public S3CredentialReference? Credentials { get; init; }

    /// <summary>These settings with every value <paramref name="overrides"/> gives put in their place.</summary>
    public S3Settings Over(S3Settings? overrides) => overrides is null ? this : new S3Settings
    {
        Endpoint = overrides.Endpoint ?? Endpoint,
        Region = overrides.Region ?? Region,
        PathStyle = overrides.PathStyle ?? PathStyle,
        ServerSideEncryption = overrides.ServerSideEncryption ?? ServerSideEncryption,
        KmsKeyId = overrides.KmsKeyId ?? KmsKeyId,
        Timeout = overrides.Timeout ?? Timeout,
        Credentials = overrides.Credentials ?? Credentials,
    };

    /// <summary>Whole seconds where they are whole (30, not 30.0), as a person writes them.</summary>
    internal sealed class SecondsConverter : JsonConverter<TimeSpan?>
    {
        public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Null ? null : TimeSpan.FromSeconds(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
        {
            if (value is not { } t) writer.WriteNullValue();
            else if (t.TotalSeconds == Math.Floor(t.TotalSeconds)) writer.WriteNumberValue((long)t.TotalSeconds);
            else writer.WriteNumberValue(t.TotalSeconds);
        }
    }
}

/// <summary>Credentials by reference: a named AWS profile (~/.aws/credentials, AWS_SHARED_CREDENTIALS_FILE), or the names of
/// the environment variables that hold the access key and the secret key.</summary>
public sealed record S3CredentialReference
{
    public string? Profile { get; init; }
    public string? AccessKeyVariable { get; init; }
    public string? SecretKeyVariable { get; init; }

    public override string ToString() => Profile is not null ? $"profile {Profile}" : $"variables {AccessKeyVariable}, {SecretKeyVariable}";
}
