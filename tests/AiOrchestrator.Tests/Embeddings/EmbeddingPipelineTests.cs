using System.ClientModel;
using AiOrchestrator.Budgets;
using AiOrchestrator.Embeddings;
using AiOrchestrator.Metering;
using AiOrchestrator.Tests.Providers;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static AiOrchestrator.Tests.Embeddings.EmbeddingTestHost;

namespace AiOrchestrator.Tests.Embeddings;

/// <summary>
/// The real M.E.AI OpenAI embedding generator, against a loopback server speaking OpenAI's /v1/embeddings wire
/// format, through <c>UseAiOrchestrator()</c>: the same budget and metering stages as chat calls reserve the worst
/// case, settle the reported (or estimated) cost and keep one usage record keyed by the call id.
/// </summary>
public class EmbeddingPipelineTests
{
    private static readonly string[] Inputs = ["The quick brown fox jumps over the lazy dog.", "Embeddings turn text into vectors; ünïcödé counts in bytes."];

    private static IDisposable Search() => AiScope.Begin(organization: "acme", team: "search");

    [Fact]
    public async Task A_token_rate_limit_counts_an_embedding_call_by_its_input_alone()
    {
        // An embedding produces no output: its permit is its input bound, not an input plus a default output cap.
        await using var host = new EmbeddingTestHost(configureServices: s => s.AddRateLimits(configure: o => o.Limits.Add(
            new AiOrchestrator.RateLimits.RateLimitRule { Level = AiOrchestrator.RateLimits.RateLimitLevel.Organization, Organization = "acme", Tokens = 1_000 })));
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, Inputs.Length, promptTokens: 23));

        using (Search())
        {
            (await host.Generator.GenerateAsync(Inputs)).Should().HaveCount(2);
        }

        host.Server.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Reported_input_tokens_are_recorded_and_settled_at_the_catalog_price()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, Inputs.Length, promptTokens: 23));

        GeneratedEmbeddings<Embedding<float>> result;
        using (Search())
        {
            result = await host.Generator.GenerateAsync(Inputs);
        }

        result.Should().HaveCount(2);
        result[1].Vector.ToArray().Should().Equal(OpenAIEmbeddingsWire.Vector(1, 8));
        result.Usage!.InputTokenCount.Should().Be(23);

        var expected = host.Price.CalculateCost(new TokenUsage { InputTokens = 23 });
        expected.Amount.Should().BePositive();
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Provider.Should().Be("openai");
        record.Model.Should().Be(Model);
        record.Usage.Should().Be(new TokenUsage { InputTokens = 23 });
        record.Cost.Should().Be(expected);
        record.Outcome.Should().Be(CallOutcome.Succeeded);
        record.Streaming.Should().BeFalse();
        record.Scope.Team.Should().Be("search");

        // Reserved: the inputs' UTF-8 bytes (plus framing) at the input price, no output; settled: the reported cost.
        var history = await host.TeamHistoryAsync();
        history.Single(t => t.Kind == WalletTransactionKind.Reserve).Amount.Should().Be(host.Price.EstimateMaxCost(InputBound(Inputs), 0));
        history.Single(t => t.Kind == WalletTransactionKind.Settle).Amount.Should().Be(expected);
        var team = host.Ledger.GetWallet(Team);
        team.Spent.Should().Be(expected);
        team.Reserved.Amount.Should().Be(0m);
        host.Ledger.GetWallet(Org).Spent.Should().Be(expected, "every wallet of the scope path is charged");
        host.Server.RequestCount.Should().Be(1);
    }

    [Fact]
    public void The_input_bound_is_never_below_what_the_provider_counts()
    {
        foreach (var text in (string[])["hello", "ünïcödé 🙂 漢字", string.Concat(Enumerable.Repeat("token ", 500)), " "])
        {
            var bound = new EmbeddingCallRequest([text], TokenCounter.Estimate).InputBound(TokenizerFamily.Cl100k);
            bound.Should().BeGreaterThanOrEqualTo(ExactTokenCounter.CountTokens(text, TokenizerFamily.Cl100k), text);
            bound.Should().Be(InputBound(text));
        }
    }

    [Fact]
    public async Task A_budget_that_cannot_cover_the_worst_case_refuses_the_call_before_any_request_is_sent()
    {
        await using var host = new EmbeddingTestHost(teamLimit: 0.00000001m);
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, Inputs.Length, promptTokens: 23));

        using (Search())
        {
            var error = (await host.Generator.Invoking(g => g.GenerateAsync(Inputs)).Should().ThrowAsync<BudgetExceededException>()).Which;
            error.Wallet.Should().Be(Team);
        }

        host.Server.RequestCount.Should().Be(0, "nothing reaches the provider");
        var team = host.Ledger.GetWallet(Team);
        team.Reserved.Amount.Should().Be(0m);
        team.Spent.Amount.Should().Be(0m);
        host.Ledger.GetWallet(Org).Reserved.Amount.Should().Be(0m, "a refused reserve holds nothing on any wallet");
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Rejected);
        record.Cost.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_response_without_usage_settles_an_estimate_flagged_as_estimated_and_within_the_reservation()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, Inputs.Length, promptTokens: null));

        using (Search())
        {
            await host.Generator.GenerateAsync(Inputs);
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().Be(0);
        record.Usage.InputTokens.Should().BeGreaterThanOrEqualTo(Inputs.Sum(i => (long)ExactTokenCounter.CountTokens(i, TokenizerFamily.Cl100k)), "the estimate is not below the provider's count")
            .And.BeLessThanOrEqualTo(InputBound(Inputs), "an estimate is capped at the reserved bound");
        record.Cost.Should().Be(host.Price.CalculateCost(record.Usage with { IsEstimated = false }));

        var history = await host.TeamHistoryAsync();
        var reserved = history.Single(t => t.Kind == WalletTransactionKind.Reserve).Amount;
        var settle = history.Single(t => t.Kind == WalletTransactionKind.Settle);
        settle.Amount.Should().Be(record.Cost, "the ledger and the usage record agree");
        settle.Amount.Amount.Should().BeLessThanOrEqualTo(reserved.Amount);
        settle.Overrun.Should().Be(0m);
        host.Ledger.GetWallet(Team).Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_provider_failure_releases_the_reservation_and_costs_nothing()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddingsError(500, OpenAIEmbeddingsWire.Error("The server had an error while processing your request."));

        using (Search())
        {
            await host.Generator.Invoking(g => g.GenerateAsync(Inputs)).Should().ThrowAsync<ClientResultException>();
        }

        host.Server.RequestCount.Should().Be(1);
        var team = host.Ledger.GetWallet(Team);
        team.Reserved.Amount.Should().Be(0m);
        team.Spent.Amount.Should().Be(0m);
        (await host.TeamHistoryAsync()).Select(t => t.Kind).Should().Contain(WalletTransactionKind.Release).And.NotContain(WalletTransactionKind.Settle);
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Error.Should().Be(nameof(ClientResultException));
        record.Cost.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_call_cancelled_before_it_starts_reserves_and_sends_nothing()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, Inputs.Length, promptTokens: 23));
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        using (Search())
        {
            await host.Generator.Invoking(g => g.GenerateAsync(Inputs, cancellationToken: cancel.Token)).Should().ThrowAsync<OperationCanceledException>();
        }

        host.Server.RequestCount.Should().Be(0);
        (await host.TeamHistoryAsync()).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve);
        host.Ledger.GetWallet(Team).Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_call_cancelled_while_the_provider_works_releases_its_reservation()
    {
        await using var host = new EmbeddingTestHost();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var provider = new HangingEmbeddingGenerator(started);
        var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider).UseAiOrchestrator().Build(host.Services);
        using var cancel = new CancellationTokenSource();

        Task call;
        using (Search())
        {
            call = generator.GenerateAsync(Inputs, cancellationToken: cancel.Token);
        }

        await started.Task;
        host.Ledger.GetWallet(Team).Reserved.Amount.Should().BePositive("the worst case is held while the provider works");
        await cancel.CancelAsync();
        await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();

        host.Ledger.GetWallet(Team).Reserved.Amount.Should().Be(0m);
        host.Ledger.GetWallet(Team).Spent.Amount.Should().Be(0m);
        (await host.TeamHistoryAsync()).Select(t => t.Kind).Should().Contain(WalletTransactionKind.Release);
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Cancelled);
        record.Cost.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task The_call_id_keys_the_ledger_and_the_usage_record()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, 1, promptTokens: 9));

        using (Search())
        {
            await host.Generator.GenerateAsync(["one"]);
            await host.Generator.GenerateAsync(["two"]);
        }

        var records = await host.RecordsAsync();
        records.Should().HaveCount(2).And.OnlyContain(r => r.CallId != Guid.Empty);
        records.Select(r => r.CallId).Should().OnlyHaveUniqueItems();

        // The ledger remembers each call attempt by the record's call id: reserving again under it returns the first
        // outcome (the same, already settled reservation) and holds nothing; another amount under it is a conflict.
        var history = await host.TeamHistoryAsync();
        var reserves = history.Where(t => t.Kind == WalletTransactionKind.Reserve).ToList();
        reserves.Should().HaveCount(2);
        var wallets = host.Ledger.GetWalletPath(new AiScope { Organization = "acme", Team = "search" });
        var first = records.OrderBy(r => r.Timestamp).ThenBy(r => r.Id).First();
        var firstReserve = reserves.Single(t => t.ReservationId == reserves.Min(r => r.ReservationId));
        var again = await host.Ledger.ReserveAsync(new AiCallId(first.CallId), 1, wallets, firstReserve.Amount);
        again.Id.Should().Be(firstReserve.ReservationId);
        host.Ledger.GetWallet(Team).Reserved.Amount.Should().Be(0m);
        await host.Ledger.Invoking(l => l.ReserveAsync(new AiCallId(first.CallId), 1, wallets, Money.Usd(0.5m)).AsTask())
            .Should().ThrowAsync<IdempotencyConflictException>();
        (await host.TeamHistoryAsync()).Count(t => t.Kind == WalletTransactionKind.Reserve).Should().Be(2);
    }

    public static TheoryData<string[]?, Type> BadInputs => new()
    {
        { null, typeof(ArgumentNullException) },
        { [], typeof(ArgumentException) },
        { ["fine", null!], typeof(ArgumentException) },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_refused_with_a_clear_exception_and_changes_nothing(string[]? values, Type exception)
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, 1, promptTokens: 9));

        using (Search())
        {
            var error = (await host.Generator.Invoking(g => g.GenerateAsync(values!)).Should().ThrowAsync<ArgumentException>()).Which;
            error.Should().BeOfType(exception);
            error.ParamName.Should().Be("values");
            if (values is not null)
            {
                error.Message.Should().MatchRegex(values.Length == 0 ? "no values to embed" : "Value 1 of the call is null");
            }
        }

        host.Server.RequestCount.Should().Be(0);
        (await host.RecordsAsync()).Should().BeEmpty();
        (await host.TeamHistoryAsync()).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve);
        host.Ledger.GetWallet(Team).Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task The_scope_comes_from_the_options_additional_properties()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, 1, promptTokens: 9));

        // No ambient scope: the options name the team, the organisation comes from the default scope.
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [AiScopeKeys.Team] = "search" } };
        await host.Generator.GenerateAsync(["hello"], options);

        var expected = host.Price.CalculateCost(new TokenUsage { InputTokens = 9 });
        host.Ledger.GetWallet(Team).Spent.Should().Be(expected);
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Scope.Organization.Should().Be("acme");
        record.Scope.Team.Should().Be("search");
    }

    [Fact]
    public async Task Without_a_ledger_calls_are_metered_only()
    {
        await using var host = new EmbeddingTestHost(budgets: false);
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, 1, promptTokens: 9));

        await host.Generator.GenerateVectorAsync("hello");

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Cost.Should().Be(host.Price.CalculateCost(new TokenUsage { InputTokens = 9 }));
        host.Generator.GetService<IBudgetLedger>().Should().BeNull();
        host.Generator.GetService<UsageMeter>().Should().NotBeNull();
    }

    [Fact]
    public async Task A_generator_registered_in_DI_runs_the_pipeline_with_the_apps_services()
    {
        using var server = new ProviderServer().ServeEmbeddings(OpenAIEmbeddingsWire.Response(Model, 1, promptTokens: 9));
        var services = new ServiceCollection();
        services.AddAiOrchestrator(o => o.StorePath = ":memory:");
        services.AddBudgetLedger(configure: o => o.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = 1m }));
        services.AddEmbeddingGenerator(_ => server.OpenAIEmbeddings(Model)).UseAiOrchestrator(o => o.EnableBudgets = false);
        await using var provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        using (Search())
        {
            await generator.GenerateVectorAsync("hello");
        }

        (await provider.GetRequiredService<IUsageStore>().GetRecordsAsync(new SpendQuery())).Should().ContainSingle()
            .Which.Usage.InputTokens.Should().Be(9);
        (await provider.GetRequiredService<IBudgetLedger>().GetHistoryAsync(Team)).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve, "budgets were turned off for this pipeline");
    }

    [Fact]
    public async Task A_model_the_catalog_cannot_price_is_refused_before_anything_is_reserved_or_sent()
    {
        await using var host = new EmbeddingTestHost();
        host.Server.ServeEmbeddings(OpenAIEmbeddingsWire.Response("in-house-embedder", 1, promptTokens: 9));
        var generator = new EmbeddingGeneratorBuilder<string, Embedding<float>>(host.Server.OpenAIEmbeddings("in-house-embedder")).UseAiOrchestrator().Build(host.Services);

        using (Search())
        {
            await generator.Invoking(g => g.GenerateAsync(["hello"])).Should().ThrowAsync<AiOrchestrator.Pricing.UnpricedModelException>();
        }

        host.Server.RequestCount.Should().Be(0);
        (await host.TeamHistoryAsync()).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve);
    }

    [Fact]
    public async Task A_generator_without_AiOrchestrator_registered_fails_when_built_saying_what_to_add()
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        using var server = new ProviderServer();
        var build = () => new EmbeddingGeneratorBuilder<string, Embedding<float>>(server.OpenAIEmbeddings(Model)).UseAiOrchestrator().Build(services);
        build.Should().Throw<InvalidOperationException>().WithMessage("*AddAiOrchestrator*");
    }

    /// <summary>A provider that signals when a call reaches it, then waits until the call is cancelled.</summary>
    private sealed class HangingEmbeddingGenerator(TaskCompletionSource started) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly EmbeddingGeneratorMetadata _metadata = new("openai", null, Model);

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }

        public object? GetService(Type serviceType, object? serviceKey = null)
            => serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
