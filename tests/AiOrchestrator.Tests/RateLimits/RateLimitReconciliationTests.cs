using AiOrchestrator.RateLimits;
using static AiOrchestrator.Tests.RateLimits.RateLimitTestHost;

namespace AiOrchestrator.Tests.RateLimits;

/// <summary>Token and cost permits are estimates, corrected by the usage once the attempt is over.</summary>
public class RateLimitReconciliationTests
{
    private static readonly AiScope Alice = RateLimitTestHost.Alice;

    private static RateLimitTestHost Host() => new(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Tokens = 1_000, Cost = 1m }));

    [Fact]
    public async Task An_over_estimate_gives_the_difference_back_to_the_window()
    {
        using var host = Host();
        var permit = await host.Tokens(Alice, 800, 0.8m);
        Passes(host.Tokens(Alice, 300)).Should().BeFalse();

        permit.Settle(actualTokens: 200, actualCost: 0.2m);

        Passes(host.Tokens(Alice, 800, 0.8m)).Should().BeTrue("200 + 800 fit in 1,000 tokens and 0.2 + 0.8 in 1 USD");
        Passes(host.Tokens(Alice, 1)).Should().BeFalse();
    }

    [Fact]
    public async Task An_under_estimate_charges_the_difference_from_when_it_is_known()
    {
        using var host = Host();
        var permit = await host.Tokens(Alice, 100);
        host.Time.Advance(TimeSpan.FromSeconds(30));

        permit.Settle(actualTokens: 950, actualCost: 0m);

        Refusal(host.Tokens(Alice, 100)).RetryAfter.Should().Be(TimeSpan.FromSeconds(31), "the first 100 leave at 61 s");
        host.Time.Advance(TimeSpan.FromSeconds(31));
        Passes(host.Tokens(Alice, 100)).Should().BeTrue();
        Passes(host.Tokens(Alice, 100)).Should().BeFalse("the 850 charged at 30 s stay counted until 91 s");
        host.Time.Advance(TimeSpan.FromSeconds(30));
        Passes(host.Tokens(Alice, 800)).Should().BeTrue();
    }

    [Fact]
    public async Task A_released_permit_gives_everything_back()
    {
        using var host = Host();
        var permit = await host.Tokens(Alice, 1_000, 1m);

        permit.Release();

        Passes(host.Tokens(Alice, 1_000, 1m)).Should().BeTrue();
    }

    [Fact]
    public async Task A_credit_after_the_window_moved_on_gives_nothing_back_twice()
    {
        using var host = Host();
        var permit = await host.Tokens(Alice, 600);
        host.Time.Advance(TimeSpan.FromSeconds(70));
        Passes(host.Tokens(Alice, 1_000)).Should().BeTrue("the first 600 left the window");

        permit.Settle(actualTokens: 0, actualCost: 0m);

        Passes(host.Tokens(Alice, 1)).Should().BeFalse("the old permit's credit cannot free what a newer call took");
    }

    [Fact]
    public async Task Model_weights_make_expensive_models_use_more_of_a_shared_limit()
    {
        using var host = new RateLimitTestHost(o =>
        {
            o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.Team, Tokens = 1_000 });
            o.ModelWeights["gpt-4o"] = 4m;
        });

        var permit = await host.Tokens(Alice, 200, model: "gpt-4o");
        permit.CountedTokens.Should().Be(800);
        Passes(host.Tokens(RateLimitTestHost.Bob, 200, model: "gpt-4o-mini")).Should().BeTrue("a model without a weight counts 1:1");
        Passes(host.Tokens(RateLimitTestHost.Bob, 1, model: "GPT-4O")).Should().BeFalse("weights match model ids in any case");

        permit.Settle(actualTokens: 50, actualCost: 0m);

        Passes(host.Tokens(RateLimitTestHost.Bob, 150, model: "gpt-4o")).Should().BeTrue("settling 50 weighted tokens left 200 + 200 used");
    }

    [Fact]
    public async Task A_request_permit_has_nothing_to_reconcile()
    {
        using var host = new RateLimitTestHost(o => o.Limits.Add(new RateLimitRule { Level = RateLimitLevel.User, Requests = 1, Tokens = 10 }));
        var permit = await host.Request(Alice);

        permit.Release();

        Passes(host.Request(Alice)).Should().BeFalse("a request is counted even when the call then fails");
        Passes(host.Tokens(Alice, 10)).Should().BeTrue("request and token limits count separately");
    }
}
