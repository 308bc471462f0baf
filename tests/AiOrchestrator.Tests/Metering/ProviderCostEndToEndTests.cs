using AiOrchestrator.Metering;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Metering;

/// <summary>
/// The real OpenAI and Anthropic SDK clients, against a loopback server speaking their wire formats, metered by the
/// pipeline: the recorded cost equals the hand-computed golden vector, buffered and streamed.
/// </summary>
public class ProviderCostEndToEndTests
{
    private static readonly string[] Pieces = ["The answer ", "is ", "forty-two."];

    // claude-sonnet-4-5: input $3, cache read $0.30, 5-minute cache write $3.75, 1-hour cache write $6 (2 × input),
    // output $15 per million. 50 × 3 + 10,000 × 0.30 + 1,000 × 3.75 + 2,000 × 6 + 400 × 15
    // = 150 + 3,000 + 3,750 + 12,000 + 6,000 = 24,900 per million.
    private const decimal ClaudeGolden = 0.0249m;
    private static readonly AnthropicWireUsage ClaudeUsage = new(InputTokens: 50, OutputTokens: 400, CacheReadTokens: 10_000, CacheWrite5mTokens: 1_000, CacheWrite1hTokens: 2_000);
    private static readonly TokenUsage ClaudeNormalised = new()
    {
        InputTokens = 13_050,
        CachedInputTokens = 10_000,
        CacheWriteTokens = 1_000,
        CacheWrite1hTokens = 2_000,
        OutputTokens = 400,
    };

    // gpt-4o: input $2.50, cached $1.25, output $10 per million. 86 × 2.50 + 1,920 × 1.25 + 300 × 10 = 5,615 per million.
    private const decimal Gpt4oGolden = 0.005615m;
    private static readonly OpenAIWireUsage Gpt4oUsage = new(PromptTokens: 2006, CompletionTokens: 300, CachedTokens: 1920);

    // Groq's llama-3.3-70b-versatile through the OpenAI client: $0.59 input, $0.79 output per million.
    // 1,000 × 0.59 + 500 × 0.79 = 590 + 395 = 985 per million.
    private const decimal LlamaGolden = 0.000985m;

    private static async Task<UsageRecord> MeterAsync(IChatClient provider, bool stream)
    {
        await using var host = new MeteringTestHost(provider: provider);
        if (stream)
        {
            await foreach (var _ in host.Client.GetStreamingResponseAsync("What is the answer?"))
            {
            }
        }
        else
        {
            await host.Client.GetResponseAsync("What is the answer?");
        }

        return (await host.RecordsAsync()).Should().ContainSingle().Subject;
    }

    [Fact]
    public async Task Anthropic_buffered_with_cache_reads_and_both_cache_writes_costs_the_golden_amount()
    {
        using var server = new ProviderServer().ServeMessage(AnthropicWire.Message("claude-sonnet-4-5-20250929", "The answer is forty-two.", ClaudeUsage));

        var record = await MeterAsync(server.Anthropic("claude-sonnet-4-5"), stream: false);

        record.Provider.Should().Be("anthropic");
        record.Model.Should().Be("claude-sonnet-4-5-20250929");
        record.Usage.Should().Be(ClaudeNormalised);
        record.Cost.Should().Be(Money.Usd(ClaudeGolden));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Anthropic_streamed_costs_the_same_as_buffered(bool cumulativeDelta)
    {
        var deltaUsage = cumulativeDelta ? AnthropicDeltaUsage.Cumulative : AnthropicDeltaUsage.OutputOnly;
        using var server = new ProviderServer().ServeMessageStream(AnthropicWire.MessageStream("claude-sonnet-4-5-20250929", Pieces, ClaudeUsage, deltaUsage));

        var record = await MeterAsync(server.Anthropic("claude-sonnet-4-5"), stream: true);

        record.Usage.Should().Be(ClaudeNormalised);
        record.Cost.Should().Be(Money.Usd(ClaudeGolden));
        record.Streaming.Should().BeTrue();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAI_chat_completions_cost_the_golden_amount_buffered_and_streamed(bool stream)
    {
        using var server = new ProviderServer();
        if (stream)
        {
            server.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage));
        }
        else
        {
            server.ServeChatCompletion(OpenAIWire.ChatCompletion("gpt-4o-2024-08-06", "The answer is forty-two.", Gpt4oUsage));
        }

        var record = await MeterAsync(server.OpenAIChat("gpt-4o"), stream);

        record.Provider.Should().Be("openai");
        record.Model.Should().Be("gpt-4o-2024-08-06");
        record.Usage.Should().Be(new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300 });
        record.Cost.Should().Be(Money.Usd(Gpt4oGolden));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task OpenAI_cache_writes_are_billed_as_writes_buffered_and_streamed(bool stream, bool responses)
    {
        // gpt-5.6-sol: input 5, cache read 0.5, cache write 6.25, output 30 per million.
        // Prompt 10,000 of which 4,000 read and 3,000 written: 3,000 x 5 + 4,000 x 0.5 + 3,000 x 6.25 = 35,750;
        // output 500 x 30 = 15,000 -> 50,750 / 1e6 = 0.05075 (billing the writes as plain input would give 0.046).
        var usage = new OpenAIWireUsage(PromptTokens: 10_000, CompletionTokens: 500, CachedTokens: 4_000, CacheWriteTokens: 3_000);
        using var server = new ProviderServer();
        if (responses)
        {
            _ = stream
                ? server.ServeResponseStream(OpenAIWire.ResponseStream("gpt-5.6-sol", Pieces, usage))
                : server.ServeResponse(OpenAIWire.Response("gpt-5.6-sol", "The answer is forty-two.", usage));
        }
        else
        {
            _ = stream
                ? server.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream("gpt-5.6-sol", Pieces, usage))
                : server.ServeChatCompletion(OpenAIWire.ChatCompletion("gpt-5.6-sol", "The answer is forty-two.", usage));
        }

        var record = await MeterAsync(responses ? server.OpenAIResponses("gpt-5.6-sol") : server.OpenAIChat("gpt-5.6-sol"), stream);

        record.Usage.Should().Be(new TokenUsage { InputTokens = 10_000, CachedInputTokens = 4_000, CacheWriteTokens = 3_000, OutputTokens = 500 });
        record.Cost.Should().Be(Money.Usd(0.05075m));
        record.InputCost.Should().Be(0.03575m);
        record.OutputCost.Should().Be(0.015m);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAI_responses_api_costs_the_golden_amount_buffered_and_streamed(bool stream)
    {
        using var server = new ProviderServer();
        if (stream)
        {
            server.ServeResponseStream(OpenAIWire.ResponseStream("gpt-4o-2024-08-06", Pieces, Gpt4oUsage));
        }
        else
        {
            server.ServeResponse(OpenAIWire.Response("gpt-4o-2024-08-06", "The answer is forty-two.", Gpt4oUsage));
        }

        var record = await MeterAsync(server.OpenAIResponses("gpt-4o"), stream);

        record.Cost.Should().Be(Money.Usd(Gpt4oGolden));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_OpenAI_client_on_another_providers_endpoint_is_priced_under_that_provider(bool stream)
    {
        var usage = new OpenAIWireUsage(PromptTokens: 1000, CompletionTokens: 500);
        using var server = new ProviderServer();
        if (stream)
        {
            server.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream("llama-3.3-70b-versatile", Pieces, usage));
        }
        else
        {
            server.ServeChatCompletion(OpenAIWire.ChatCompletion("llama-3.3-70b-versatile", "The answer is forty-two.", usage, details: false));
        }

        var record = await MeterAsync(server.OpenAIChatAt("https://api.groq.com/openai/v1", "llama-3.3-70b-versatile"), stream);

        record.Provider.Should().Be("groq");
        record.Cost.Should().Be(Money.Usd(LlamaGolden));
        record.Usage.IsEstimated.Should().BeFalse();
    }

    [Fact]
    public async Task An_OpenAI_client_on_an_unknown_server_is_refused_rather_than_priced_from_another_list()
    {
        using var server = new ProviderServer().ServeChatCompletion(
            OpenAIWire.ChatCompletion("llama-3.3-70b-versatile", "The answer is forty-two.", new OpenAIWireUsage(PromptTokens: 1000, CompletionTokens: 500), details: false));
        await using var host = new MeteringTestHost(provider: server.OpenAIChat("llama-3.3-70b-versatile"));

        var act = () => host.Client.GetResponseAsync("What is the answer?");

        (await act.Should().ThrowAsync<UnpricedModelException>()).Which.Reason.Should().Be(UnpricedReason.UnknownModel);
        server.RequestBodies().Should().BeEmpty();
        (await host.RecordsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_stream_without_a_usage_chunk_is_estimated_from_the_tokenizer()
    {
        using var server = new ProviderServer().ServeChatCompletionStream(OpenAIWire.ChatCompletionStream("gpt-4o-2024-08-06", Pieces, usage: null));

        var record = await MeterAsync(server.OpenAIChat("gpt-4o"), stream: true);

        record.Usage.IsEstimated.Should().BeTrue();
        record.Usage.OutputTokens.Should().BeGreaterThanOrEqualTo(5, "'The answer is forty-two.' is 6 o200k tokens and the estimate never undercounts by much");
        record.Cost.Amount.Should().BePositive();
    }
}
