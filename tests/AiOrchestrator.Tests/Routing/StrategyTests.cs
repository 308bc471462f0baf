using AiOrchestrator.Budgets;
using AiOrchestrator.Routing;
using AiOrchestrator.Tests.Budgets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static AiOrchestrator.Tests.Routing.Targets;

namespace AiOrchestrator.Tests.Routing;

public class StrategyTests
{
    private static readonly ChatOptions Smart = new() { ModelId = "smart" };

    [Fact]
    public async Task Priority_tries_the_lowest_priority_number_first_and_keeps_list_order_for_ties()
    {
        var a = Answering("a", "gpt-4o");
        var b = Answering("b", "gpt-4o-mini");
        var c = Answering("c", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("a", a, "gpt-4o", priority: 2), Target("b", b, "gpt-4o-mini", priority: 1), Target("c", c, "claude-sonnet-4-5", priority: 1)));

        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("b");
        b.GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(Status(502));
        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("c");
    }

    [Fact]
    public async Task Weighted_sends_calls_in_proportion_to_the_weights()
    {
        var heavy = Answering("heavy", "gpt-4o");
        var light = Answering("light", "gpt-4o-mini");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Weighted,
            Target("heavy", heavy, "gpt-4o", weight: 3), Target("light", light, "gpt-4o-mini", weight: 1)));
        host.Router.Random = new Random(1234);

        for (var i = 0; i < 2000; i++)
        {
            await host.Client.GetResponseAsync("hi", Smart);
        }

        // Expected 1,500 / 500; the binomial standard deviation is about 19, so 1,400..1,600 is a 5-sigma band.
        heavy.Calls.Should().BeInRange(1400, 1600);
        (heavy.Calls + light.Calls).Should().Be(2000);
    }

    [Fact]
    public async Task Weighted_falls_back_to_the_other_target_when_the_drawn_one_fails()
    {
        var heavy = Failing(Status(500));
        var light = Answering("light", "gpt-4o-mini");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Weighted,
            Target("heavy", heavy, "gpt-4o", weight: 1000), Target("light", light, "gpt-4o-mini", weight: 1)));
        host.Router.Random = new Random(7);

        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("light");
        heavy.Calls.Should().Be(1);
    }

    [Fact]
    public async Task Cheapest_prefers_the_target_with_the_lowest_worst_case_cost_for_the_request()
    {
        // Listed most expensive first: claude-sonnet-4-5 ($3 / $15), gpt-4o ($2.50 / $10), gpt-4o-mini ($0.15 / $0.60).
        var sonnet = Answering("sonnet", "claude-sonnet-4-5", "anthropic");
        var gpt4o = Answering("gpt-4o", "gpt-4o");
        var mini = Answering("mini", "gpt-4o-mini");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Cheapest,
            Target("sonnet", sonnet, "claude-sonnet-4-5"), Target("gpt-4o", gpt4o, "gpt-4o"), Target("mini", mini, "gpt-4o-mini")));

        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("mini");
        mini.GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(Status(500));
        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("gpt-4o", "the next cheapest serves when the cheapest fails");
        sonnet.Calls.Should().Be(0);
    }

    [Fact]
    public async Task Cheapest_weighs_input_against_output_prices_by_the_request()
    {
        // A: input $1, output $100 per million. B: input $10, output $1 per million.
        // A short prompt with a long output cap is cheaper on B; a long prompt with a tiny output cap is cheaper on A.
        var a = Answering("a", "model-a");
        var b = Answering("b", "model-b");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Cheapest, Target("a", a, "model-a"), Target("b", b, "model-b")));
        var pricing = new AiOrchestrator.Pricing.PricingOptions();
        pricing.Prices.Add(new AiOrchestrator.Pricing.ModelPriceDefinition { Model = "model-a", InputPerMillion = 1m, OutputPerMillion = 100m });
        pricing.Prices.Add(new AiOrchestrator.Pricing.ModelPriceDefinition { Model = "model-b", InputPerMillion = 10m, OutputPerMillion = 1m });
        var order = new TargetOrder(new AiOrchestrator.Pricing.CostCalculator(pricing), AiOrchestrator.Tokens.TokenCounter.For(AiOrchestrator.Tokens.TokenCountingMode.Estimate), null, host.Time, 4096);
        var route = host.Router.Routes.Find("smart");

        var shortPrompt = order.For(route, [new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 2000 }, null, streaming: false);
        var longPrompt = order.For(route, [new ChatMessage(ChatRole.User, string.Join(' ', Enumerable.Repeat("tokens", 20_000)))], new ChatOptions { MaxOutputTokens = 10 }, null, streaming: false);

        shortPrompt.Select(e => e.Name).Should().Equal("b", "a");
        longPrompt.Select(e => e.Name).Should().Equal("a", "b");
    }

    [Fact]
    public async Task Fastest_measures_every_target_then_prefers_the_lowest_average_latency()
    {
        var time = new FakeTimeProvider(RoutingTestHost.Start);
        var slow = Answering("slow", "gpt-4o");
        slow.GetResponseAsyncCallback = (_, o, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(900));
            return Task.FromResult(Response("slow", o!.ModelId!));
        };
        var fast = Answering("fast", "claude-sonnet-4-5", "anthropic");
        fast.GetResponseAsyncCallback = (_, o, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(200));
            return Task.FromResult(Response("fast", o!.ModelId!));
        };
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Fastest,
            Target("slow", slow, "gpt-4o"), Target("fast", fast, "claude-sonnet-4-5")), time);

        var served = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            served.Add((await host.Client.GetResponseAsync("hi", Smart)).Text);
        }

        served.Should().Equal("slow", "fast", "fast", "fast", "fast");
    }

    [Fact]
    public async Task Fastest_ranks_streams_by_time_to_first_update()
    {
        var time = new FakeTimeProvider(RoutingTestHost.Start);
        var a = Answering("a", "gpt-4o");
        a.GetStreamingResponseAsyncCallback = (_, o, _) => Delayed(time, TimeSpan.FromMilliseconds(50), "a", o!.ModelId!);
        var b = Answering("b", "gpt-4o-mini");
        b.GetStreamingResponseAsyncCallback = (_, o, _) => Delayed(time, TimeSpan.FromMilliseconds(10), "b", o!.ModelId!);
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Fastest, Target("a", a, "gpt-4o"), Target("b", b, "gpt-4o-mini")), time);

        var first = await host.StreamAsync("hi", Smart);
        var second = await host.StreamAsync("hi", Smart);
        var third = await host.StreamAsync("hi", Smart);

        first[0].Text.Should().Be("a");
        second[0].Text.Should().Be("b");
        third[0].Text.Should().Be("b");
    }

    [Fact]
    public async Task BudgetAware_keeps_priority_order_while_the_wallets_have_money_and_downgrades_when_one_runs_low()
    {
        var ledgerTime = new FakeTimeProvider(RoutingTestHost.Start);
        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = TestLedgers.Org.Value, Limit = 10m, Period = BudgetPeriod.Month });
        using var ledger = new BudgetLedger(options, ledgerTime);
        var sonnet = Answering("sonnet", "claude-sonnet-4-5", "anthropic");
        var mini = Answering("mini", "gpt-4o-mini");
        await using var host = new RoutingTestHost(
            Alias("smart", RoutingStrategy.BudgetAware, Target("sonnet", sonnet, "claude-sonnet-4-5"), Target("mini", mini, "gpt-4o-mini")),
            ledgerTime,
            ledger);

        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("sonnet");

        // $8.50 of $10 held: $1.50 available, below 20 % of the allowance.
        await ledger.ReserveAsync([TestLedgers.Org], Money.Usd(8.5m), "big-job");
        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("mini");
    }

    [Fact]
    public void BudgetAware_also_counts_a_wallet_low_below_a_fixed_amount()
    {
        var ledgerTime = new FakeTimeProvider(RoutingTestHost.Start);
        var options = new BudgetOptions();
        options.Wallets.Add(new WalletOptions { Id = TestLedgers.Org.Value, Limit = 100m, Period = BudgetPeriod.Month });
        using var ledger = new BudgetLedger(options, ledgerTime);
        var order = new TargetOrder(new AiOrchestrator.Pricing.CostCalculator(new AiOrchestrator.Pricing.PricingOptions()), AiOrchestrator.Tokens.TokenCounter.For(AiOrchestrator.Tokens.TokenCountingMode.Estimate), ledger, ledgerTime, 4096);
        var scope = new AiScope { Organization = "acme" };

        order.IsLow(new Route("r", RoutingStrategy.BudgetAware, [], 0m, 150m), scope).Should().BeTrue();
        order.IsLow(new Route("r", RoutingStrategy.BudgetAware, [], 0m, 50m), scope).Should().BeFalse();
        order.IsLow(new Route("r", RoutingStrategy.BudgetAware, [], 0.2m, null), scope).Should().BeFalse();
        order.IsLow(new Route("r", RoutingStrategy.BudgetAware, [], 0.2m, null), new AiScope { Organization = "no-wallets" }).Should().BeFalse();
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Delayed(FakeTimeProvider time, TimeSpan delay, string text, string model)
    {
        await Task.Yield();
        time.Advance(delay);
        yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = model };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2, TotalTokenCount = 12 })]) { ModelId = model };
    }
}
