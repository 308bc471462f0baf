using System.Threading.RateLimiting;
using AiOrchestrator.RateLimits;
using static AiOrchestrator.Tests.RateLimits.RateLimitTestHost;
using Microsoft.Extensions.Time.Testing;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>Partitions of idle scopes are dropped; concurrent callers never pass more than a limit.</summary>
public class RateLimitPartitionTests
{
    [Fact]
    public void A_flood_of_scopes_does_not_grow_memory_without_end()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.IdlePartitionTimeout = TimeSpan.FromMinutes(2);
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 10 });
        });

        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                Passes(host.Request(new AiScope { Organization = "acme", User = $"user-{round}-{i}" })).Should().BeTrue();
            }

            host.Time.Advance(TimeSpan.FromMinutes(1));
        }

        host.Limiter.PartitionCount.Should().BeLessThanOrEqualTo(4_000, "only the users of the last few minutes are held");
    }

    [Fact]
    public void A_partition_with_counts_left_in_its_window_is_kept()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.IdlePartitionTimeout = TimeSpan.FromSeconds(30);
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 });
        });
        Passes(host.Request(RateLimitTestHost.Alice)).Should().BeTrue();
        host.Time.Advance(TimeSpan.FromSeconds(40));

        Passes(host.Request(RateLimitTestHost.Bob)).Should().BeTrue("this call sweeps idle partitions");

        Passes(host.Request(RateLimitTestHost.Alice)).Should().BeFalse("Alice's request is still in her window");
        host.Time.Advance(TimeSpan.FromSeconds(30));
        Passes(host.Request(RateLimitTestHost.Alice)).Should().BeTrue();
    }

    [Fact]
    public async Task Callers_started_together_never_pass_more_than_the_limit()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 300 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Tokens = 1_000 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = 700 });
        });
        const int callers = 8;
        var admitted = new long[callers];
        using var barrier = new Barrier(callers);
        var tasks = Enumerable.Range(0, callers).Select(c => Task.Run(() =>
        {
            var scope = new AiScope { Organization = "acme", Team = c % 2 == 0 ? "a" : "b", User = $"u{c}" };
            barrier.SignalAndWait();
            for (var i = 0; i < 500; i++)
            {
                if (Passes(host.Tokens(scope, 10)))
                {
                    admitted[c] += 10;
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        admitted.Sum().Should().Be(700, "the organisation's limit is the tightest, and refusals give back what they took");
        admitted.Should().OnlyContain(a => a <= 300);

        // What the refusals took from users and teams was given back: the organisation, raised, admits each user's rest.
        host.Monitor.Change(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 300 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Tokens = 100_000 });
        });
        for (var c = 0; c < callers; c++)
        {
            var scope = new AiScope { Organization = "acme", Team = c % 2 == 0 ? "a" : "b", User = $"u{c}" };
            Passes(host.Tokens(scope, 300 - admitted[c])).Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_partition_limit_works_as_a_System_Threading_RateLimiting_limiter()
    {
        var time = new FakeTimeProvider();
        using RateLimiter limiter = new WindowLimiter(new RateLimitClock(time), RateLimitKind.Requests, RateLimitLevel.User, "user 'alice'", limit: 2, TimeSpan.FromMinutes(1), segments: 60, queueLimit: 1);

        limiter.AttemptAcquire(2).IsAcquired.Should().BeTrue();
        using var refused = limiter.AttemptAcquire(1);
        refused.IsAcquired.Should().BeFalse();
        refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromSeconds(61));
        limiter.GetStatistics()!.CurrentAvailablePermits.Should().Be(0);

        var waiting = limiter.AcquireAsync(1).AsTask();
        limiter.GetStatistics()!.CurrentQueuedCount.Should().Be(1);
        time.Advance(TimeSpan.FromSeconds(61));
        (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).IsAcquired.Should().BeTrue();
        limiter.IdleDuration.Should().BeNull("a request is in the window");
    }
}
