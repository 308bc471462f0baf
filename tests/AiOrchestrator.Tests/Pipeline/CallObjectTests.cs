using System.Runtime.CompilerServices;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Tests.Metering;
using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Pipeline;

/// <summary>
/// The call object and the money rules it carries, through <c>UseAiOrchestrator</c>: an estimate never settles above
/// its reservation, the input bound covers instructions and schemas, a served model the catalog cannot price is
/// charged at the requested model's price, a call outliving its reservation still posts its cost, and bad arguments
/// are refused before anything is reserved. Each of these failed on the code before the call object.
/// </summary>
public class CallObjectTests
{
    // gpt-4o: $2.50 input, $10 output per million tokens.
    private static readonly WalletId Team = WalletId.ForTeam("acme", "search");

    public enum StreamEnd
    {
        CallerStops,
        CallerCancels,
        ProviderFails,
    }

    private static MeteringTestHost Host(decimal teamLimit, Action<BudgetOptions>? budgets = null) => new(budgets: o =>
    {
        o.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = teamLimit, Period = BudgetPeriod.Day });
        budgets?.Invoke(o);
    });

    private static IBudgetLedger Ledger(MeteringTestHost host) => host.Services.GetRequiredService<IBudgetLedger>();

    [Theory]
    [InlineData(StreamEnd.CallerStops)]
    [InlineData(StreamEnd.CallerCancels)]
    [InlineData(StreamEnd.ProviderFails)]
    public async Task A_stream_without_provider_usage_never_settles_above_its_reservation_or_its_cap(StreamEnd end)
    {
        // A $0.02 wallet: the call is clamped to what it can pay for; the provider sends 20 long chunks with no usage
        // and the stream ends after 19 of them. A Claude model has no exact local tokenizer, so the stream is not cut
        // off (19 chunks are fewer than the cap), but the estimate of what was seen is far above the cap.
        await using var host = Host(teamLimit: 0.02m);
        host.Provider.Metadata = new ChatClientMetadata("anthropic", null, "claude-sonnet-4-5");
        ChatOptions? sent = null;
        host.Provider.GetStreamingResponseAsyncCallback = (_, o, ct) =>
        {
            sent = o;
            return LongChunks(20, failAfter: end == StreamEnd.ProviderFails ? 19 : -1, ct);
        };

        using var cancel = new CancellationTokenSource();
        var read = 0;
        var act = async () =>
        {
            using (AiScope.Begin(organization: "acme", team: "search"))
            {
                await foreach (var _ in host.Client.GetStreamingResponseAsync("tell me everything", new ChatOptions { MaxOutputTokens = 4096 }, cancel.Token))
                {
                    if (++read == 19)
                    {
                        if (end == StreamEnd.CallerStops)
                        {
                            break;
                        }

                        if (end == StreamEnd.CallerCancels)
                        {
                            await cancel.CancelAsync();
                        }
                    }
                }
            }
        };

        if (end == StreamEnd.CallerStops)
        {
            await act();
        }
        else
        {
            await act.Should().ThrowAsync<Exception>();
        }

        var history = await Ledger(host).GetHistoryAsync(Team);
        var reserved = history.Single(t => t.Kind == WalletTransactionKind.Reserve).Amount;
        var settle = history.Single(t => t.Kind == WalletTransactionKind.Settle);
        settle.Amount.Amount.Should().BeLessThanOrEqualTo(reserved.Amount, "an estimate is capped at what was reserved");
        settle.Overrun.Should().Be(0m);
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().BeLessThanOrEqualTo(sent!.MaxOutputTokens!.Value, "output is charged at most up to the cap sent");
        record.Cost.Should().Be(settle.Amount, "the usage record and the ledger agree");
        Ledger(host).GetWallet(Team).Spent.Amount.Should().BeLessThanOrEqualTo(0.02m);
        Ledger(host).GetWallet(Team).Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_provider_that_reports_usage_beyond_the_cap_is_charged_in_full_as_an_overrun()
    {
        await using var host = Host(teamLimit: 1m);
        host.Provider.GetResponseAsyncCallback = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "long"))
        {
            ModelId = "gpt-4o",
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = o!.MaxOutputTokens!.Value * 3L },
        });

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 100 });
        }

        // 10 × 2.50 + 300 × 10 per million: the provider's own report is what it billed.
        var settle = (await Ledger(host).GetHistoryAsync(Team)).Single(t => t.Kind == WalletTransactionKind.Settle);
        settle.Amount.Should().Be(Money.Usd(0.003025m));
        settle.Overrun.Should().BePositive();
    }

    [Fact]
    public async Task The_reservation_covers_instructions_tool_schemas_and_the_response_format()
    {
        await using var host = Host(teamLimit: 100m);
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = "gpt-4o",
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 1 },
        });
        var manual = string.Concat(Enumerable.Repeat("Always answer in the voice of the house style guide, section by section. ", 600));
        var tool = AIFunctionFactory.Create((string city) => "sunny", "weather", string.Concat(Enumerable.Repeat("Looks up the weather of a city. ", 300)));
        var options = new ChatOptions
        {
            MaxOutputTokens = 10,
            Instructions = manual,
            Tools = [tool],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string","description":"the answer"}}}""").RootElement),
        };

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Client.GetResponseAsync("hi", options);
        }

        var counted = TokenCounter.For(TokenCountingMode.Exact).CountInputTokens([new ChatMessage(ChatRole.User, "hi")], options, "gpt-4o");
        var reserve = (await Ledger(host).GetHistoryAsync(Team)).Single(t => t.Kind == WalletTransactionKind.Reserve);
        reserve.Amount.Amount.Should().BeGreaterThanOrEqualTo((counted * 2.50m / 1_000_000m) + (10 * 10m / 1_000_000m), "the worst case includes every input token the provider will count");
    }

    [Fact]
    public async Task A_response_naming_a_model_the_catalog_cannot_price_is_charged_at_the_requested_price_and_flagged()
    {
        await using var host = Host(teamLimit: 1m);
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = "acme-private-deployment-7",
            Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200 },
        });

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 500 });
        }

        var expected = Money.Usd(0.0045m);
        Ledger(host).GetWallet(Team).Spent.Should().Be(expected, "the spend is booked, not released");
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Cost.Should().Be(expected);
        record.PricedAsRequestedModel.Should().BeTrue();
        record.Model.Should().Be("gpt-4o");
        record.Outcome.Should().Be(CallOutcome.Succeeded);
    }

    [Fact]
    public async Task A_call_that_outlives_its_reservation_returns_its_answer_and_still_posts_its_cost()
    {
        await using var host = Host(teamLimit: 1m, o => o.ReservationTimeout = TimeSpan.FromMinutes(1));
        host.Provider.GetResponseAsyncCallback = (_, _, _) =>
        {
            host.Time.Advance(TimeSpan.FromMinutes(5)); // the provider takes longer than the reservation lives
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "late but fine"))
            {
                ModelId = "gpt-4o",
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200 },
            });
        };

        ChatResponse response;
        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            response = await host.Client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 500 });
        }

        response.Text.Should().Be("late but fine");
        var wallet = Ledger(host).GetWallet(Team);
        wallet.Spent.Should().Be(Money.Usd(0.0045m));
        wallet.Reserved.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task A_stream_that_outlives_its_reservation_is_read_to_the_end_and_its_cost_posted()
    {
        await using var host = Host(teamLimit: 1m, o => o.ReservationTimeout = TimeSpan.FromMinutes(1));
        host.Provider.GetStreamingResponseAsyncCallback = (_, _, ct) => SlowStream(host, ct);

        var text = new System.Text.StringBuilder();
        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await foreach (var update in host.Client.GetStreamingResponseAsync("hi", new ChatOptions { MaxOutputTokens = 500 }))
            {
                text.Append(update.Text);
            }
        }

        text.ToString().Should().Be("one two ");
        Ledger(host).GetWallet(Team).Spent.Should().Be(Money.Usd(0.0045m));
    }

    [Fact]
    public async Task A_null_message_is_refused_with_an_argument_exception_and_reserves_nothing()
    {
        await using var host = Host(teamLimit: 1m);
        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            var buffered = () => host.Client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi"), null!]);
            (await buffered.Should().ThrowAsync<ArgumentException>()).WithMessage("*Message 1*null*");
            var streamed = async () =>
            {
                await foreach (var _ in host.Client.GetStreamingResponseAsync([null!]))
                {
                }
            };
            await streamed.Should().ThrowAsync<ArgumentException>();
        }

        (await Ledger(host).GetHistoryAsync(Team)).Should().NotContain(t => t.Kind == WalletTransactionKind.Reserve);
        host.Provider.Calls.Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task A_max_output_tokens_of_zero_or_less_is_refused_not_replaced(int max)
    {
        await using var host = Host(teamLimit: 1m);
        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            var call = () => host.Client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = max });
            (await call.Should().ThrowAsync<ArgumentOutOfRangeException>()).WithMessage("*MaxOutputTokens*at least 1*");
        }

        host.Provider.Calls.Should().Be(0);
    }

    [Fact]
    public async Task Every_record_of_a_call_carries_its_call_id()
    {
        await using var host = Host(teamLimit: 1m);
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = "gpt-4o",
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2 },
        });

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Client.GetResponseAsync("one");
            await host.Client.GetResponseAsync("two");
        }

        var records = await host.RecordsAsync();
        records.Should().HaveCount(2).And.OnlyContain(r => r.CallId != Guid.Empty);
        records.Select(r => r.CallId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void The_stage_order_is_kept_once_as_data()
    {
        AiStageOrder.PerCall.Should().Equal(AiStageOrder.Scope, AiStageOrder.Safety, AiStageOrder.Cache, AiStageOrder.Routing);
        AiStageOrder.PerAttempt.Should().Equal(AiStageOrder.Audit, AiStageOrder.Budget, AiStageOrder.RateLimits, AiStageOrder.Metering);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> LongChunks(int count, int failAfter, [EnumeratorCancellation] CancellationToken ct)
    {
        var chunk = string.Concat(Enumerable.Repeat("a rather long sentence of output that keeps going ", 40));
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (i == failAfter)
            {
                throw new HttpRequestException("The connection was reset by the provider.");
            }

            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = "claude-sonnet-4-5" };
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> SlowStream(MeteringTestHost host, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "one ") { ModelId = "gpt-4o" };
        host.Time.Advance(TimeSpan.FromMinutes(5));
        ct.ThrowIfCancellationRequested();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "two ") { ModelId = "gpt-4o" };
        yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200 })], ModelId = "gpt-4o" };
    }
}

/// <summary>Every stage's settings are reachable through <c>UseAiOrchestrator(o => ...)</c> and through configuration.</summary>
public class PipelineSettingsTests
{
    private static readonly WalletId Team = WalletId.ForTeam("acme", "search");

    [Fact]
    public async Task The_budget_stage_settings_come_from_configuration_and_can_be_changed_in_code()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:StorePath"] = ":memory:",
            ["AiOrchestrator:Budgets:StorePath"] = ":memory:",
            ["AiOrchestrator:Budgets:DefaultMaxOutputTokens"] = "77",
            ["AiOrchestrator:Budgets:Wallets:0:Id"] = Team.Value,
            ["AiOrchestrator:Budgets:Wallets:0:Limit"] = "1",
        }).Build();
        await using var services = new ServiceCollection().AddAiOrchestrator(configuration).AddBudgetLedger(configuration).BuildServiceProvider();
        var provider = new TestDoubles.TestChatClient();
        var caps = new List<int?>();
        provider.GetResponseAsyncCallback = (_, o, _) =>
        {
            caps.Add(o?.MaxOutputTokens);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "gpt-4o", Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 1 } });
        };

        var fromConfiguration = new ChatClientBuilder(provider).UseAiOrchestrator().Build(services);
        var changedInCode = new ChatClientBuilder(provider).UseAiOrchestrator(o => o.Budget.DefaultMaxOutputTokens = 123).Build(services);
        var withoutBudgets = new ChatClientBuilder(provider).UseAiOrchestrator(o => o.EnableBudgets = false).Build(services);
        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await fromConfiguration.GetResponseAsync("hi");
            await changedInCode.GetResponseAsync("hi");
            await withoutBudgets.GetResponseAsync("hi");
        }

        caps.Should().Equal(77, 123, null);
        var history = await services.GetRequiredService<IBudgetLedger>().GetHistoryAsync(Team);
        history.Count(t => t.Kind == WalletTransactionKind.Reserve).Should().Be(2, "the pipeline without budgets reserves nothing");
    }

    [Fact]
    public void An_invalid_stage_setting_in_code_fails_when_the_pipeline_is_built()
    {
        using var services = new ServiceCollection().AddAiOrchestrator(o => o.StorePath = ":memory:").BuildServiceProvider();
        var build = () => new ChatClientBuilder(new TestDoubles.TestChatClient()).UseAiOrchestrator(o => o.Budget.DefaultMaxOutputTokens = 0).Build(services);
        build.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*DefaultMaxOutputTokens*at least 1*");
    }
}

public class BudgetStageSettingValidationTests
{
    [Fact]
    public void A_default_cap_below_one_in_configuration_fails_at_start_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AiOrchestrator:StorePath"] = ":memory:",
            ["AiOrchestrator:Budgets:StorePath"] = ":memory:",
            ["AiOrchestrator:Budgets:DefaultMaxOutputTokens"] = "0",
        }).Build();
        using var services = new ServiceCollection().AddAiOrchestrator(configuration).AddBudgetLedger(configuration).BuildServiceProvider();

        var resolve = () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BudgetOptions>>().Value;
        resolve.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Budgets:DefaultMaxOutputTokens is 0*");
    }
}
