namespace AiOrchestrator.RateLimits;

/// <summary>
/// Takes permits from a list of limits (a user's, their team's, their organisation's) all or nothing: when one
/// refuses, what the others took is given back. A refused caller may wait in the queue of the limit that refused it.
/// </summary>
internal static class RateLimitAcquisition
{
    /// <summary>One try, without waiting.</summary>
    public static Outcome TryAcquire(WindowLimiter[] limiters, in RateLimitAmounts amounts, long now, RateLimitWaiter? waiter)
    {
        for (var i = 0; i < limiters.Length; i++)
        {
            var limiter = limiters[i];
            var result = limiter.TryTake(limiter.AmountOf(amounts), now, waiter, out var retryAfter, out var isHead);
            if (result != TakeResult.Taken)
            {
                for (var j = 0; j < i; j++)
                {
                    limiters[j].Return(limiters[j].AmountOf(amounts), now);
                }

                return new Outcome(result, limiter, retryAfter, isHead, now, 0);
            }
        }

        return new Outcome(TakeResult.Taken, null, 0, false, now, 0);
    }

    /// <summary>
    /// Tries, and while a limit with room in its queue refuses, waits in that queue (first in, first out) until the
    /// permits fit or <paramref name="cancellationToken"/> fires (then the waiter leaves the queue and this throws).
    /// </summary>
    public static async ValueTask<Outcome> AcquireAsync(WindowLimiter[] limiters, RateLimitAmounts amounts, RateLimitClock clock, CancellationToken cancellationToken)
    {
        var start = clock.Now();
        var outcome = TryAcquire(limiters, amounts, start, null);
        if (outcome.Result != TakeResult.Refused || outcome.Limiter!.QueueLimit == 0)
        {
            return outcome;
        }

        using var waiter = new RateLimitWaiter(clock.TimeProvider);
        using var registration = cancellationToken.Register(static s => ((RateLimitWaiter)s!).Signal(), waiter);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var signalled = waiter.Arm();
                var now = clock.Now();
                outcome = TryAcquire(limiters, amounts, now, waiter);
                waiter.LeavePrevious();
                if (outcome.Result != TakeResult.Queued)
                {
                    return outcome with { Queued = now - start };
                }

                if (outcome.IsHead)
                {
                    waiter.WakeAfter(outcome.RetryAfter);
                }

                await signalled.ConfigureAwait(false);
            }
        }
        finally
        {
            waiter.Leave();
        }
    }

    /// <summary>The result: <see cref="TakeResult.Taken"/>, or which limit refused, how, and when the permits would fit.</summary>
    internal readonly record struct Outcome(TakeResult Result, WindowLimiter? Limiter, long RetryAfter, bool IsHead, long TakenAt, long Queued);
}
