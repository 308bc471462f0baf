using AiOrchestrator;
using AiOrchestrator.RateLimits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocSnippets;

public static class RateLimitSnippets
{
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        #region rate-limits-register
        services.AddRateLimits(configuration, o =>
        {
            // Every user: 60 calls and 100,000 tokens a minute.
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 60, Tokens = 100_000 });
            // Every team: 500,000 tokens a minute; one team gets more.
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Tokens = 500_000 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Organization = "acme", Team = "search", Tokens = 2_000_000 });
            // Every organisation: 5 USD a minute in total, and at most 1,000,000 tokens a minute on gpt-4o.
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Cost = 5m });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Model = "gpt-4o", Tokens = 1_000_000 });
            // Let up to 20 calls per partition wait for room instead of failing at once.
            o.QueueLimit = 20;
        });
        #endregion
    }

#pragma warning disable AIOEXP001 // the limiter is part of the experimental pipeline surface
    public static async Task<string> Stage(ScopeRateLimiter limiter, AiScope scope, CancellationToken cancellationToken)
    {
        #region rate-limits-engine
        // Before routing: one request.
        await limiter.AcquireRequestAsync(scope, model: "chat-default", cancellationToken);

        // Per attempt, after the budget reservation: the estimate (input + output cap) and the reserved cost.
        var permit = await limiter.AcquireTokensAsync(scope, "gpt-4o", estimatedTokens: 1_700, estimatedCost: 0.0125m, cancellationToken);
        try
        {
            // ... call the provider; then reconcile with what it reported:
            permit.Settle(actualTokens: 950, actualCost: 0.0061m);
        }
        catch
        {
            permit.Release(); // nothing was used
            throw;
        }
        #endregion

        #region rate-limits-refusal
        try
        {
            await limiter.AcquireRequestAsync(scope, model: null, cancellationToken);
        }
        catch (RateLimitExceededException e) when (e.RetryAfter is { } retryAfter)
        {
            // e.Kind (Requests, Tokens, Cost), e.Level and e.Partition say which limit refused.
            return $"Busy: retry in {retryAfter.TotalSeconds:0} s ({e.Kind} limit of {e.Partition}).";
        }
        #endregion

        return "ok";
    }
#pragma warning restore AIOEXP001
}
