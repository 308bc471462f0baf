using AiOrchestrator.Budgets;
using AiOrchestrator.Embeddings;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Providers;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static AiOrchestrator.Tests.Embeddings.EmbeddingTestHost;

namespace AiOrchestrator.Tests.Embeddings;

/// <summary>Many embedding calls released at once against a wallet that can pay for only some of them.</summary>
public class EmbeddingConcurrencyTests
{
    private const int Callers = 12;
    private const int Affordable = 4;
    private const string Text = "Concurrent callers share one wallet, and none of them may overspend it.";

    [Fact]
    public async Task Exactly_the_affordable_number_of_callers_succeed_and_spend_never_exceeds_the_limit()
    {
        // Near its limit the budget stage reserves the tighter count of the input; the provider reports exactly that
        // count, so every call that gets a hold spends all of it and the number that can succeed does not depend on
        // the order in which holds are taken and settled.
        var tokens = new EmbeddingCallRequest([Text], TokenCounter.Estimate).CountInputTokens(Model);
        tokens.Should().BeLessThan(InputBound(Text), "the test needs the wallet to run low");
        decimal limit;
        {
            await using var probe = new EmbeddingTestHost(budgets: false);
            var cost = probe.Price.CalculateCost(new TokenUsage { InputTokens = tokens });
            limit = (cost.Amount * Affordable) + (cost.Amount / 2m);
        }

        await using var host = new EmbeddingTestHost(teamLimit: limit);
        host.Services.GetRequiredService<ITokenCounter>().Mode.Should().Be(TokenCountingMode.Estimate);
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, 1, promptTokens: tokens));
        var perCall = host.Price.CalculateCost(new TokenUsage { InputTokens = tokens });

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            using (AiScope.Begin(organization: "acme", team: "search"))
            {
                try
                {
                    await host.Generator.GenerateAsync([Text]);
                    return true;
                }
                catch (BudgetExceededException)
                {
                    return false;
                }
            }
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(calls);

        outcomes.Count(ok => ok).Should().Be(Affordable);
        host.Server.RequestCount.Should().Be(Affordable, "refused calls never reach the provider");
        var team = host.Ledger.GetWallet(Team);
        team.Spent.Should().Be(new Money(perCall.Amount * Affordable, perCall.Currency));
        team.Spent.Amount.Should().BeLessThanOrEqualTo(limit);
        team.Reserved.Amount.Should().Be(0m);
        team.Overruns.Should().Be(0);

        var records = await host.RecordsAsync();
        records.Count(r => r.Outcome == CallOutcome.Succeeded).Should().Be(Affordable);
        records.Count(r => r.Outcome == CallOutcome.Rejected).Should().Be(Callers - Affordable);
        records.Where(r => r.Outcome == CallOutcome.Succeeded).Should().OnlyContain(r => r.Cost == perCall);
    }
}
