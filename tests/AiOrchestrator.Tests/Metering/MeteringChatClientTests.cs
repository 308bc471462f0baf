using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AiOrchestrator.Tests.Metering;

public class MeteringChatClientTests
{
    // gpt-4o: $2.50 input, $1.25 cached input, $10.00 output per million tokens.
    // 2006 input of which 1920 cached, 300 output: 86 × 2.50 + 1920 × 1.25 + 300 × 10 = 215 + 2400 + 3000 = 5615 per million.
    private const decimal Gpt4oGolden = 0.005615m;

    private static UsageDetails OpenAIStyleUsage() => new()
    {
        InputTokenCount = 2006,
        CachedInputTokenCount = 1920,
        OutputTokenCount = 300,
        TotalTokenCount = 2306,
    };

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatResponseUpdate> updates, Action? beforeFirst = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = true;
        foreach (var update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (first)
            {
                beforeFirst?.Invoke();
                first = false;
            }

            await Task.Yield();
            yield return update;
        }
    }

    [Fact]
    public async Task A_call_is_recorded_with_scope_model_tokens_and_exact_cost()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) =>
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(420));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")) { ModelId = "gpt-4o-2024-08-06", Usage = OpenAIStyleUsage() });
        };

        using (AiScope.Begin(organization: "acme", team: "search", user: "dana"))
        {
            await host.Client.GetResponseAsync("hello");
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Scope.Team.Should().Be("search");
        record.Scope.User.Should().Be("dana");
        record.Provider.Should().Be("openai");
        record.Model.Should().Be("gpt-4o-2024-08-06");
        record.Usage.Should().Be(new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300 });
        record.Cost.Should().Be(Money.Usd(Gpt4oGolden));
        record.Latency.Should().Be(TimeSpan.FromMilliseconds(420));
        record.Outcome.Should().Be(CallOutcome.Succeeded);
        record.Streaming.Should().BeFalse();
        record.Timestamp.Should().Be(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task Streamed_and_buffered_responses_cost_the_same()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello there, friend.")) { ModelId = "gpt-4o", Usage = OpenAIStyleUsage() });
        host.Provider.GetStreamingResponseAsyncCallback = (_, _, ct) => Stream(
            [
                new ChatResponseUpdate(ChatRole.Assistant, "Hello ") { ModelId = "gpt-4o" },
                new ChatResponseUpdate(ChatRole.Assistant, "there, friend.") { ModelId = "gpt-4o" },
                new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(OpenAIStyleUsage())]) { ModelId = "gpt-4o" },
            ],
            () => host.Time.Advance(TimeSpan.FromMilliseconds(35)),
            ct);

        await host.Client.GetResponseAsync("hello");
        var text = "";
        await foreach (var update in host.Client.GetStreamingResponseAsync("hello"))
        {
            text += update.Text;
        }

        text.Should().Be("Hello there, friend.");
        var records = await host.RecordsAsync();
        records.Should().HaveCount(2);
        records[0].Usage.Should().Be(records[1].Usage);
        records[0].Cost.Should().Be(records[1].Cost).And.Be(Money.Usd(Gpt4oGolden));
        records.Should().ContainSingle(r => r.Streaming).Which.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(35));
    }

    [Fact]
    public async Task A_response_without_usage_is_estimated_and_marked()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "The capital of France is Paris.")) { ModelId = "gpt-4o" });

        await host.Client.GetResponseAsync("What is the capital of France?");

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.InputTokens.Should().BeGreaterThan(5);
        record.Usage.OutputTokens.Should().BeInRange(7, 12, "the exact o200k count of the answer is 8");
        record.Cost.Amount.Should().BeGreaterThan(0m, "an estimated call is still priced, never silently free");
    }

    [Fact]
    public async Task Invalid_usage_from_the_provider_does_not_fail_the_call_and_is_estimated()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = "gpt-4o",
            Usage = new UsageDetails { InputTokenCount = -40, OutputTokenCount = 3 },
        });

        var response = await host.Client.GetResponseAsync("hi");

        response.Text.Should().Be("ok");
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.InputTokens.Should().BePositive();
    }

    [Fact]
    public async Task An_unpriced_model_is_refused_before_the_provider_is_called_and_nothing_is_stored()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => throw new InvalidOperationException("must not be called");

        var act = () => host.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "acme-internal-llm-7b" });

        (await act.Should().ThrowAsync<UnpricedModelException>()).WithMessage("*acme-internal-llm-7b*");
        host.Provider.Calls.Should().Be(0);
        (await host.RecordsAsync()).Should().BeEmpty();

        var streaming = () => host.Client.GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "acme-internal-llm-7b" });
        streaming.Should().Throw<UnpricedModelException>();
        host.Provider.Calls.Should().Be(0);
    }

    [Fact]
    public async Task A_failed_call_is_recorded_as_failed_at_no_cost_and_the_error_reaches_the_caller()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => throw new HttpRequestException("502 Bad Gateway");

        var act = () => host.Client.GetResponseAsync("hi");

        await act.Should().ThrowAsync<HttpRequestException>();
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Error.Should().Be(nameof(HttpRequestException));
        record.Cost.Should().Be(Money.Zero);
    }

    [Fact]
    public async Task A_cancelled_call_is_recorded_as_cancelled()
    {
        await using var host = new MeteringTestHost();
        using var cts = new CancellationTokenSource();
        host.Provider.GetResponseAsyncCallback = (_, _, ct) =>
        {
            cts.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(new ChatResponse());
        };

        var act = () => host.Client.GetResponseAsync("hi", cancellationToken: cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Cancelled);
    }

    [Fact]
    public async Task A_stream_the_caller_stops_reading_is_recorded_as_abandoned_with_estimated_usage()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetStreamingResponseAsyncCallback = (_, _, ct) => Stream(
            Enumerable.Range(0, 50).Select(i => new ChatResponseUpdate(ChatRole.Assistant, $"word{i} ") { ModelId = "gpt-4o" }), null, ct);

        var read = 0;
        await foreach (var update in host.Client.GetStreamingResponseAsync("tell me a long story"))
        {
            if (++read == 10)
            {
                break;
            }
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Abandoned);
        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().BeGreaterThanOrEqualTo(10, "ten chunks of at least one token each were generated");
        record.Cost.Amount.Should().BePositive();
    }

    [Fact]
    public async Task A_stream_that_fails_midway_is_recorded_as_failed()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetStreamingResponseAsyncCallback = (_, _, ct) => Failing(ct);

        var act = async () =>
        {
            await foreach (var _ in host.Client.GetStreamingResponseAsync("hi"))
            {
            }
        };

        await act.Should().ThrowAsync<IOException>();
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Outcome.Should().Be(CallOutcome.Failed);
        record.Usage.OutputTokens.Should().BePositive("the provider generated the first chunk before the connection dropped");

        static async IAsyncEnumerable<ChatResponseUpdate> Failing([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial answer") { ModelId = "gpt-4o" };
            throw new IOException("connection reset");
        }
    }

    [Fact]
    public async Task Scope_in_the_options_wins_over_the_ambient_scope()
    {
        await using var host = new MeteringTestHost();
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { ModelId = "gpt-4o", Usage = OpenAIStyleUsage() });

        using (AiScope.Begin(organization: "acme", team: "search"))
        {
            await host.Client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { [AiScopeKeys.Team] = "support" } });
        }

        (await host.RecordsAsync()).Should().ContainSingle().Which.Scope.Team.Should().Be("support");
    }

    [Fact]
    public async Task Cost_and_tokens_are_published_on_the_AiOrchestrator_meter()
    {
        await using var host = new MeteringTestHost();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var cost = new MetricCollector<double>(meters, AiOrchestratorTelemetry.Name, "aiorchestrator.cost");
        using var tokens = new MetricCollector<long>(meters, AiOrchestratorTelemetry.Name, "aiorchestrator.tokens");
        host.Provider.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { ModelId = "gpt-4o", Usage = OpenAIStyleUsage() });

        using (AiScope.Begin(organization: "acme", team: "metrics-team"))
        {
            await host.Client.GetResponseAsync("hi");
        }

        var measurement = cost.GetMeasurementSnapshot().Should().ContainSingle(m => IsTeam(m.Tags, "metrics-team")).Subject;
        measurement.Value.Should().BeApproximately((double)Gpt4oGolden, 1e-12);
        measurement.Tags["gen_ai.response.model"].Should().Be("gpt-4o");
        tokens.GetMeasurementSnapshot()
            .Where(m => IsTeam(m.Tags, "metrics-team"))
            .Select(m => (m.Tags["gen_ai.token.type"], m.Value))
            .Should().BeEquivalentTo(new (object?, long)[] { ("input", 2006), ("output", 300) });
    }

    // Other tests publish on the same meter in parallel; only this test's team is looked at.
    private static bool IsTeam(IReadOnlyDictionary<string, object?> tags, string team)
        => tags.TryGetValue("aiorchestrator.team", out var value) && Equals(value, team);

    [Fact]
    public async Task The_pipeline_answers_metadata_and_exposes_the_meter()
    {
        await using var host = new MeteringTestHost();
        host.Client.GetService<ChatClientMetadata>()!.ProviderName.Should().Be("openai");
        host.Client.GetService<UsageMeter>().Should().NotBeNull();
    }
}
