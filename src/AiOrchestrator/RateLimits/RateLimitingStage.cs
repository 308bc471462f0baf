using AiOrchestrator.Pipeline;
using AiOrchestrator.Metering;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.RateLimits;

/// <summary>
/// The rate-limit stage, in both pipelines: once per call, before its first attempt is sent, a request permit
/// (requests per minute); around every attempt, a token and cost permit for the attempt's worst case (its input
/// bound, its output cap and the cost the budget reserved or, without a budget, the price of that bound), reconciled
/// with what the attempt used when it ends. A refusal throws <see cref="RateLimitExceededException"/>: nothing is sent
/// and nothing is charged.
/// </summary>
internal sealed class RateLimitingStage(ScopeRateLimiter limiter, UsageMeter meter) : AttemptStage
{
    /// <summary>The output counted for an attempt that has no cap (or an implausible one), until it ends.</summary>
    private const long UncappedOutputEstimate = 4_096;

    /// <summary>The largest output cap taken at its word (no model writes more in one answer).</summary>
    private const long MaxCountedOutput = 1_000_000;

    public override string Name => AiStageOrder.RateLimits;

    public override async ValueTask StartAsync(AiCallAttempt attempt, CancellationToken cancellationToken)
    {
        var call = attempt.Call;
        try
        {
            if (!call.RequestPermitted)
            {
                // The request limit counts calls, not attempts: a failover does not count again.
                _ = await limiter.AcquireRequestAsync(call.Scope, call.RequestedModel ?? attempt.Model, cancellationToken).ConfigureAwait(false);
                call.RequestPermitted = true;
            }

            var input = attempt.ReservedInputTokens > 0 ? attempt.ReservedInputTokens : call.GetInputBound(TokenizerFamilies.ForModel(attempt.Model));
            // A call that produces no output (an embedding) counts its input alone; a call without an output cap is
            // counted at a default until it ends, and what it used is charged then.
            var output = attempt.MaxOutputTokens <= 0 ? 0 : Math.Min(attempt.MaxOutputTokens, call.OutputCap);
            output = output is >= 0 and <= MaxCountedOutput ? output : UncappedOutputEstimate;
            var cost = attempt.Reservation is { } reservation ? reservation.Amount.Amount : attempt.Price.EstimateMaxCost(input, output).Amount;
            attempt.TokenPermit = await limiter.AcquireTokensAsync(call.Scope, attempt.Model, input + output, cost, cancellationToken).ConfigureAwait(false);
        }
        catch (RateLimitExceededException ex)
        {
            meter.RecordRefused(attempt, ex.GetType().Name); // refused before it was sent: recorded at cost 0
            throw;
        }
    }

    public override ValueTask EndAsync(AiCallAttempt attempt)
    {
        if (attempt.TokenPermit is { } permit)
        {
            attempt.TokenPermit = null;
            var usage = attempt.Usage;
            permit.Settle(usage.InputTokens + usage.OutputTokens, attempt.GetCost(meter.Pricing).Amount); // priced once per attempt, whoever asks first
        }

        return ValueTask.CompletedTask;
    }
}
