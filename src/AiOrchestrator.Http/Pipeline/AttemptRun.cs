using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// One attempt of an HTTP call on its way through the wire: reads usage in the call's format, estimates what the
/// provider did not report (the attempt caps it at what was reserved), watches a budgeted stream against its cap,
/// and ends the attempt and its stages exactly once, wherever that happens (the response, the end of a stream, an
/// error, or the caller disposing the stream early).
/// </summary>
internal sealed class AttemptRun
{
    private readonly HttpPipeline _pipeline;
    private int _ended;

    public AttemptRun(HttpPipeline pipeline, HttpCall call, AiCallAttempt attempt)
    {
        _pipeline = pipeline;
        Call = call;
        Attempt = attempt;
        Family = TokenizerFamilies.ForModel(attempt.Model);
        CutOff = attempt.Reservation is not null ? new StreamCutOff(attempt.MaxOutputTokens, Family) : null;
    }

    public HttpCall Call { get; }

    public AiCallAttempt Attempt { get; }

    public TokenizerFamily Family { get; }

    /// <summary>The cut-off policy of a budgeted stream, or null.</summary>
    public StreamCutOff? CutOff { get; }

    public TimeProvider Time => _pipeline.Meter.TimeProvider;

    public Microsoft.Extensions.Logging.ILogger Logger => _pipeline.Logger;

    /// <summary>Parses a usage object in this call's format; null (and a warning) when it is invalid.</summary>
    public TokenUsage? ParseUsage(ReadOnlySpan<byte> usageJson)
    {
        try
        {
            return Call.Format == WireFormat.AnthropicMessages ? AnthropicUsage.Parse(usageJson) : OpenAIUsage.Parse(usageJson);
        }
        catch (InvalidUsageException ex)
        {
            _pipeline.Meter.ReportBadUsage(ex, Call.Provider, Attempt.Model);
            return null;
        }
    }

    /// <summary>Usage for an attempt without a complete report: the shared rule of <see cref="AiCallAttempt.EstimateUnreported"/>.</summary>
    public TokenUsage Estimate(CallOutcome outcome, in TextTally output, TokenUsage? partial)
        => AiCallAttempt.EstimateUnreported(outcome, partial, output.Tokens(Family), !output.IsEmpty, () => Call.Call.Request.CountInputTokens(Attempt.Model));

    /// <summary>Ends the attempt and runs the stages' ends (innermost first). Only the first call counts.</summary>
    public void End(TokenUsage? reported, in TokenUsage estimate, string? servedModel, CallOutcome outcome, string? error, TimeSpan? timeToFirstToken)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        Attempt.End(reported, estimate, servedModel, outcome, error, Time.GetElapsedTime(Attempt.StartTimestamp), timeToFirstToken);
        var ending = AttemptStages.EndAsync(_pipeline.Stages, Attempt, _pipeline.Stages.Length);
        if (!ending.IsCompletedSuccessfully)
        {
            // Ends run where a stream ends or is disposed, which cannot wait: finish in the background.
            _ = ObserveAsync(ending);
        }
    }

    private async Task ObserveAsync(ValueTask ending)
    {
        try
        {
            await ending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing awaits this task; the stages log their own failures, this is the backstop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpLog.EndFailed(Logger, ex, Attempt.Model);
        }
    }
}
