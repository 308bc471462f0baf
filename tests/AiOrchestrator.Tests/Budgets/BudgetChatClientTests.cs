using System.Runtime.CompilerServices;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Budgets;

public class BudgetChatClientTests
{
    // gpt-4o: $2.50 input, $10 output per million tokens.
    private static readonly WalletId Search = WalletId.ForTeam("acme", "search");
    private static readonly WalletId Support = WalletId.ForTeam("acme", "support");
    private static readonly WalletId Org = WalletId.ForOrganization("acme");

    private static MeteringTestHost Host(decimal searchLimit = 1m, decimal supportLimit = 1m, decimal orgLimit = 10m) => new(budgets: o =>
    {
        o.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = orgLimit, Period = BudgetPeriod.Day });
        o.Wallets.Add(new WalletOptions { Id = Search.Value, Limit = searchLimit, Period = BudgetPeriod.Day });
        o.Wallets.Add(new WalletOptions { Id = Support.Value, Limit = supportLimit, Period = BudgetPeriod.Day });
    });

    private static IBudgetLedger Ledger(MeteringTestHost host) => host.Services.GetRequiredService<IBudgetLedger>();

    private static ChatResponse Answer(int input, int output) => new(new ChatMessage(ChatRole.Assistant, "ok"))
    {
        ModelId = "gpt-4o",
        Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
    };

    [Fact]
    public async Task A_call_reserves_then_settles_its_exact_metered_cost_on_every_wallet_of_its_path()
    {
        await using var host = Host();
        ChatOptions? seen = null;
        host.Provider.GetResponseAsyncCallback = (_, o, _) =>
        {
            seen = o;
            var reserved = Ledger(host).GetWallet(Search).Reserved;
            reserved.Amount.Should().BePositive("the worst case is held while the provider works");
            return Task.FromResult(Answer(1000, 200));
        };

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Client.GetResponseAsync("hello", new ChatOptions { MaxOutputTokens = 500 });
        }

        // 1,000 × 2.50 + 200 × 10 = 4,500 per million.
        var team = Ledger(host).GetWallet(Search);
        team.Spent.Should().Be(Money.Usd(0.0045m));
        team.Reserved.Should().Be(Money.Usd(0m));
        Ledger(host).GetWallet(Org).Spent.Should().Be(Money.Usd(0.0045m));
        seen!.MaxOutputTokens.Should().Be(500, "an affordable cap is left as the caller set it");
        (await host.RecordsAsync()).Should().ContainSingle().Which.Cost.Should().Be(Money.Usd(0.0045m));
    }

    [Fact]
    public async Task An_unset_or_unaffordable_output_cap_is_lowered_to_what_the_wallets_can_pay()
    {
        // $0.01 left: the prompt costs a few micro-dollars, and output at $10 per million buys about 1,000 tokens.
        await using var host = Host(searchLimit: 0.01m);
        var caps = new List<int?>();
        host.Provider.GetResponseAsyncCallback = (_, o, _) =>
        {
            caps.Add(o!.MaxOutputTokens);
            return Task.FromResult(Answer(10, 10));
        };

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            var callerOptions = new ChatOptions { MaxOutputTokens = 100_000 };
            await host.Client.GetResponseAsync("hello", callerOptions);
            await host.Client.GetResponseAsync("hello");
            callerOptions.MaxOutputTokens.Should().Be(100_000, "the caller's options are never changed");
        }

        caps.Should().HaveCount(2);
        caps.Should().OnlyContain(c => c > 900 && c < 1000);
    }

    [Fact]
    public async Task A_call_the_wallet_cannot_pay_for_is_refused_before_the_provider_and_says_why()
    {
        await using var host = Host(searchLimit: 0.000001m);
        host.Provider.GetResponseAsyncCallback = (_, _, _) => throw new InvalidOperationException("must not be called");

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            var act = () => host.Client.GetResponseAsync("a prompt that costs more than one micro-dollar to send");
            var error = (await act.Should().ThrowAsync<BudgetExceededException>()).Which;
            error.Wallet.Should().Be(Search);
            error.Message.Should().Contain("team:acme/search");
        }

        host.Provider.Calls.Should().Be(0);
        Ledger(host).GetWallet(Search).Reserved.Amount.Should().Be(0m);
        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Rejected);
    }

    [Fact]
    public async Task A_failed_call_releases_its_reservation_and_costs_nothing()
    {
        await using var host = Host();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("503");

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Invoking(h => h.Client.GetResponseAsync("hi")).Should().ThrowAsync<HttpRequestException>();
        }

        var wallet = Ledger(host).GetWallet(Search);
        wallet.Spent.Amount.Should().Be(0m);
        wallet.Reserved.Amount.Should().Be(0m);
        (await Ledger(host).GetHistoryAsync(Search)).Select(t => t.Kind).Should().Contain(WalletTransactionKind.Release);
    }

    [Fact]
    public async Task One_team_exhausting_its_budget_does_not_stop_another()
    {
        await using var host = Host(searchLimit: 0.02m, supportLimit: 1m);
        // A provider that honours the cap: 5 input tokens and up to 500 output tokens, $0.0050125 a full call.
        host.Provider.GetResponseAsyncCallback = (_, o, _) => Task.FromResult(Answer(5, Math.Min(500, o!.MaxOutputTokens!.Value)));

        var refused = 0;
        for (var i = 0; i < 6; i++)
        {
            using (AiScope.Begin(organization: "acme", team: "search"))
            {
                try
                {
                    await host.Client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 500 });
                }
                catch (BudgetExceededException)
                {
                    refused++;
                }
            }

            using (AiScope.Begin(organization: "acme", team: "support"))
            {
                await host.Client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 500 });
            }
        }

        refused.Should().BeGreaterThan(0);
        Ledger(host).GetWallet(Search).Spent.Amount.Should().BeLessThanOrEqualTo(0.02m);
        Ledger(host).GetWallet(Support).Spent.Should().Be(Money.Usd(6 * 0.0050125m));
    }

    [Fact]
    public async Task An_abandoned_stream_is_settled_at_its_estimated_cost()
    {
        await using var host = Host();
        host.Provider.GetStreamingResponseAsyncCallback = (_, _, ct) => Words(100, ct);

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            var read = 0;
            await foreach (var _ in host.Client.GetStreamingResponseAsync("story"))
            {
                if (++read == 5)
                {
                    break;
                }
            }
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Abandoned);
        var wallet = Ledger(host).GetWallet(Search);
        wallet.Spent.Should().Be(record.Cost);
        wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_stream_that_ignores_the_cap_is_cut_off_and_its_estimate_settled_within_the_reservation()
    {
        await using var host = Host();
        host.Provider.GetStreamingResponseAsyncCallback = (_, _, ct) => Words(1000, ct);

        var updates = new List<ChatResponseUpdate>();
        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await foreach (var update in host.Client.GetStreamingResponseAsync("story", new ChatOptions { MaxOutputTokens = 20 }))
            {
                updates.Add(update);
            }
        }

        updates.Count.Should().BeLessThan(40, "the stream is stopped soon after it passes its 20-token cap");
        updates[^1].FinishReason.Should().Be(ChatFinishReason.Length);
        var history = await Ledger(host).GetHistoryAsync(Search);
        // The provider reported no usage: the estimate is capped at the reservation, so nothing is posted beyond it.
        history.Should().ContainSingle(t => t.Kind == WalletTransactionKind.Settle).Which.Overrun.Should().Be(0m);
        var reserved = history.Single(t => t.Kind == WalletTransactionKind.Reserve).Amount;
        history.Single(t => t.Kind == WalletTransactionKind.Settle).Amount.Amount.Should().BeLessThanOrEqualTo(reserved.Amount);
        Ledger(host).GetWallet(Search).Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task Concurrent_callers_on_a_barrier_never_overspend_a_small_wallet()
    {
        await using var host = Host(searchLimit: 0.05m);
        host.Provider.GetResponseAsyncCallback = async (_, o, _) =>
        {
            await Task.Yield();
            return Answer(5, o!.MaxOutputTokens!.Value); // the provider uses its whole cap: the worst case
        };

        // An async barrier: every caller is created and waiting before any is let go, without holding 1,000 threads.
        const int Callers = 1000;
        var ready = 0;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            if (Interlocked.Increment(ref ready) == Callers)
            {
                go.SetResult();
            }

            await go.Task;
            using (AiScope.Begin(organization: "acme", team: "search"))
            {
                try
                {
                    await host.Client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 400 });
                    return true;
                }
                catch (BudgetExceededException)
                {
                    return false;
                }
            }
        })));

        var wallet = Ledger(host).GetWallet(Search);
        wallet.Spent.Amount.Should().BeLessThanOrEqualTo(0.05m);
        wallet.Reserved.Amount.Should().Be(0m);
        outcomes.Count(ok => ok).Should().BePositive();
        var records = await host.RecordsAsync();
        records.Where(r => r.Outcome == CallOutcome.Succeeded).Sum(r => r.Cost.Amount).Should().Be(wallet.Spent.Amount);
    }

    [Fact]
    public async Task A_scope_without_wallets_is_not_limited()
    {
        await using var host = Host();
        host.Provider.GetResponseAsyncCallback = (_, o, _) =>
        {
            o?.MaxOutputTokens.Should().BeNull("no budget stage touched the options");
            return Task.FromResult(Answer(10, 10));
        };

        using (AiScope.Begin(organization: "other-org"))
        {
            await host.Client.GetResponseAsync("hi");
        }

        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Succeeded);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Words(int count, [EnumeratorCancellation] CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "word ") { ModelId = "gpt-4o" };
        }
    }
}
