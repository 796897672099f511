using ShippyarDr.Diagnostics;

namespace ShippyarDr.Repository.S3;

/// <summary>
/// A connection to the store that could not be opened in time, or went quiet for longer than the timeout. An
/// IOException, so the SDK retries it like any broken connection; S3Errors finds it among inner exceptions.
/// </summary>
internal sealed class S3TimeoutException(string endpoint, TimeSpan timeout, string message) : IOException(message)
{
    /// <summary>host:port of the connection.</summary>
    public string Endpoint { get; } = endpoint;
    public TimeSpan Timeout { get; } = timeout;

    public static S3TimeoutException Connect(string endpoint, TimeSpan timeout)
        => new(endpoint, timeout, $"could not connect to {endpoint} within {Durations.Format(timeout)}");

    public static S3TimeoutException Stalled(string endpoint, TimeSpan timeout)
        => new(endpoint, timeout, $"{endpoint} neither sent nor accepted any data for {Durations.Format(timeout)}");

    /// <summary>The first S3TimeoutException in an exception's chain of inner (and aggregated) exceptions.</summary>
    public static S3TimeoutException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is S3TimeoutException t) return t;
            if (e is AggregateException a)
                return a.InnerExceptions.Select(Find).FirstOrDefault(x => x is not null);
        }
        return null;
    }
}
