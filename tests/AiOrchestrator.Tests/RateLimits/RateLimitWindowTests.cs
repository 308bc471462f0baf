using AiOrchestrator.RateLimits;
using static AiOrchestrator.Tests.RateLimits.RateLimitTestHost;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>Requests, tokens and cost per window on a virtual clock, and the retry-after of a refusal.</summary>
public class RateLimitWindowTests
{
    private static readonly AiScope Alice = RateLimitTestHost.Alice;

    [Fact]
    public void Requests_per_minute_admit_the_limit_then_refuse_until_the_window_slides()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 3 }));

        for (var i = 0; i < 3; i++)
        {
            Passes(host.Request(Alice)).Should().BeTrue();
            host.Time.Advance(TimeSpan.FromSeconds(10));
        }

        var refusal = Refusal(host.Request(Alice));
        refusal.Kind.Should().Be(RateLimitKind.Requests);
        refusal.Level.Should().Be(RateLimitLevel.User);
        refusal.Partition.Should().Be("user 'alice' of organization 'acme'");
        refusal.Limit.Should().Be(3);
        refusal.Requested.Should().Be(1);
        refusal.Window.Should().Be(TimeSpan.FromMinutes(1));

        // The first request (at 0 s, in the 0-1 s slice) leaves the count at 61 s: a slice's worth of caution.
        refusal.RetryAfter.Should().Be(TimeSpan.FromSeconds(31));
        host.Time.Advance(TimeSpan.FromSeconds(30));
        Passes(host.Request(Alice)).Should().BeFalse();
        host.Time.Advance(TimeSpan.FromSeconds(1));
        Passes(host.Request(Alice)).Should().BeTrue();
        Passes(host.Request(Alice)).Should().BeFalse("the second request, at 10 s, is still counted");
    }

    [Fact]
    public void Retry_after_frees_enough_of_the_oldest_slices_for_the_amount_asked()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 1_000 }));
        Passes(host.Tokens(Alice, 300)).Should().BeTrue();
        host.Time.Advance(TimeSpan.FromSeconds(20));
        Passes(host.Tokens(Alice, 300)).Should().BeTrue();
        host.Time.Advance(TimeSpan.FromSeconds(20));
        Passes(host.Tokens(Alice, 300)).Should().BeTrue();

        // 900 used; 400 more needs the first 300 gone (slice 0 leaves at 61 s), 700 more needs the second too (81 s).
        Refusal(host.Tokens(Alice, 400)).RetryAfter.Should().Be(TimeSpan.FromSeconds(21));
        Refusal(host.Tokens(Alice, 700)).RetryAfter.Should().Be(TimeSpan.FromSeconds(41));
        Passes(host.Tokens(Alice, 100)).Should().BeTrue("what fits passes");
    }

    [Fact]
    public void A_call_larger_than_the_whole_limit_is_refused_without_a_retry_after()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Tokens = 1_000 }));

        var refusal = Refusal(host.Tokens(Alice, 1_001));

        refusal.RetryAfter.Should().BeNull();
        refusal.Message.Should().Contain("can never pass").And.Contain("max output tokens");
        refusal.Partition.Should().Be("team 'search' of organization 'acme'");
    }

    [Fact]
    public void Cost_per_minute_counts_exact_dollars()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Cost = 0.01m }));

        Passes(host.Tokens(Alice, 10, 0.004m)).Should().BeTrue();
        Passes(host.Tokens(Bob, 10, 0.006m)).Should().BeTrue("0.004 + 0.006 is exactly the limit");
        var refusal = Refusal(host.Tokens(Alice, 10, 0.000000001m));

        refusal.Kind.Should().Be(RateLimitKind.Cost);
        refusal.Limit.Should().Be(0.01m);
        refusal.Requested.Should().Be(0.000000001m);
        refusal.Message.Should().Contain("USD");
        Passes(host.Tokens(Dave, 10, 0.01m)).Should().BeTrue("another organisation has its own limit");
    }

    [Fact]
    public void A_window_of_another_length_counts_over_that_length()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Window = TimeSpan.FromSeconds(10);
            o.Segments = 10;
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 });
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Organization, Requests = 100, Window = TimeSpan.FromHours(1) });
        });

        Passes(host.Request(Alice)).Should().BeTrue();
        Refusal(host.Request(Alice)).RetryAfter.Should().Be(TimeSpan.FromSeconds(11));
        host.Time.Advance(TimeSpan.FromSeconds(11));
        Passes(host.Request(Alice)).Should().BeTrue();
    }

    [Fact]
    public async Task Without_a_matching_rule_nothing_is_limited()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Organization = "globex", Requests = 1 }));

        for (var i = 0; i < 100; i++)
        {
            var permit = await host.Request(Alice);
            permit.IsLimited.Should().BeFalse();
        }

        Passes(host.Request(Dave)).Should().BeTrue();
        Passes(host.Request(Dave)).Should().BeFalse();
    }

    [Fact]
    public void The_exception_names_the_scope_but_never_carries_call_content()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1 }));
        Passes(host.Request(Alice)).Should().BeTrue();

        var refusal = Refusal(host.Request(Alice));

        refusal.Message.Should().Be("Rate limit of user 'alice' of organization 'acme': 1 requests per 00:01:00; this call needs 1. Retry after 61 s, allow waiting (QueueLimit), or raise the limit (AiOrchestrator:RateLimits:Limits).");
    }
}
