using System.Globalization;

namespace AiOrchestrator.Http;

/// <summary>
/// A budgeted stream was stopped because its provider sent more output than the cap sent with the request (the
/// budget stage writes that cap into the body). What was received is settled within the reservation.
/// </summary>
public sealed class StreamCutOffException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model that sent the stream.</param>
    /// <param name="outputTokens">The output tokens known to have been received.</param>
    /// <param name="maxOutputTokens">The cap sent with the request.</param>
    public StreamCutOffException(string model, long outputTokens, long maxOutputTokens)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The stream from {model} was cut off: it sent at least {outputTokens} output tokens, past the cap of {maxOutputTokens} sent with the request, which its wallets were reserved for. The answer so far was received and is settled within the reservation; check that the endpoint honours max_tokens."))
    {
        Model = model;
        OutputTokens = outputTokens;
        MaxOutputTokens = maxOutputTokens;
    }

    /// <summary>The model that sent the stream.</summary>
    public string Model { get; }

    /// <summary>The output tokens known to have been received.</summary>
    public long OutputTokens { get; }

    /// <summary>The cap sent with the request.</summary>
    public long MaxOutputTokens { get; }
}
