using System.Globalization;

namespace AiOrchestrator.Http;

/// <summary>
/// A streamed response was stopped because its estimated cost ran past the budget reserved for the call. The
/// connection to the provider was closed, the output received so far was metered (as estimated) and the reservation
/// settled with that cost; any excess over the reservation is recorded by the ledger as an overrun.
/// </summary>
/// <remarks>
/// It happens only to requests that set no max-tokens field, whose reservation assumes the handler's
/// <see cref="AiHttpHandlerOptions.DefaultMaxOutputTokens"/>. Set <c>max_tokens</c> (or
/// <c>max_completion_tokens</c>, <c>max_output_tokens</c>) in the request, or raise that default.
/// </remarks>
public sealed class StreamCutOffException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model that was streaming.</param>
    /// <param name="reserved">The amount reserved for the call.</param>
    /// <param name="estimatedCost">The estimated cost of the call when it was stopped.</param>
    /// <param name="outputTokens">The estimated output tokens received when it was stopped.</param>
    /// <param name="outputAllowance">The output tokens the reservation was sized for.</param>
    public StreamCutOffException(string model, Money reserved, Money estimatedCost, long outputTokens, long outputAllowance)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The stream from {model} was cut off: its estimated cost {estimatedCost} ran past the {reserved} reserved for it (about {outputTokens} output tokens received; the reservation allowed {outputAllowance} because the request set no max tokens). Set max_tokens in the request, or raise AiHttpHandlerOptions.DefaultMaxOutputTokens."))
    {
        Model = model;
        Reserved = reserved;
        EstimatedCost = estimatedCost;
        OutputTokens = outputTokens;
        OutputAllowance = outputAllowance;
    }

    /// <summary>The model that was streaming.</summary>
    public string Model { get; }

    /// <summary>The amount reserved for the call.</summary>
    public Money Reserved { get; }

    /// <summary>The estimated cost of the call when it was stopped.</summary>
    public Money EstimatedCost { get; }

    /// <summary>The estimated output tokens received when it was stopped.</summary>
    public long OutputTokens { get; }

    /// <summary>The output tokens the reservation was sized for.</summary>
    public long OutputAllowance { get; }
}
