using System.Text.Json;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;

// The audio and text parts of UsageDetails (MEAI001) and the Responses types (OPENAI001) are marked experimental.
#pragma warning disable MEAI001, OPENAI001

namespace AiOrchestrator.Tests.Providers;

/// <summary>
/// Pins how the real SDK chat clients (Microsoft.Extensions.AI.OpenAI over the OpenAI SDK, and the Anthropic SDK's own
/// IChatClient) turn each provider's wire usage into <see cref="UsageDetails"/>, buffered and streamed. The usage
/// normaliser is built on these facts; if an SDK upgrade changes one, a test here fails first.
/// </summary>
public sealed class SdkUsageMappingTests
{
    private const string OpenAIModel = "gpt-4o";
    private const string OpenAISnapshot = "gpt-4o-2024-08-06";
    private const string ClaudeModel = "claude-sonnet-4-5";
    private const string ClaudeSnapshot = "claude-sonnet-4-5-20250929";
    private static readonly string[] Pieces = ["Hel", "lo"];

    // Every field distinct, so a value landing in the wrong property shows.
    private static readonly OpenAIWireUsage OpenAIFull = new(
        PromptTokens: 1000,
        CompletionTokens: 300,
        CachedTokens: 200,
        PromptAudioTokens: 50,
        ReasoningTokens: 120,
        CompletionAudioTokens: 30,
        AcceptedPredictionTokens: 7,
        RejectedPredictionTokens: 3);

    private static readonly AnthropicWireUsage AnthropicFull = new(
        InputTokens: 100,
        OutputTokens: 300,
        CacheReadTokens: 2000,
        CacheWrite5mTokens: 400,
        CacheWrite1hTokens: 600,
        ThinkingTokens: 120,
        WebSearchRequests: 2);

    // ---- OpenAI Chat Completions -------------------------------------------------------------------------------

    [Fact]
    public async Task OpenAI_chat_maps_prompt_and_completion_counts_to_properties_and_audio_and_predictions_to_additional_counts()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletion(OpenAIWire.ChatCompletion(OpenAISnapshot, "Hello", OpenAIFull));

        ChatResponse response = await server.OpenAIChat(OpenAIModel).GetResponseAsync("hi");

        response.ModelId.Should().Be(OpenAISnapshot, "the client reports the model the wire names, not the one asked for");
        UsageDetails usage = response.Usage!;
        usage.InputTokenCount.Should().Be(1000, "prompt_tokens, which already includes cached and audio tokens");
        usage.OutputTokenCount.Should().Be(300, "completion_tokens, which already includes reasoning and audio tokens");
        usage.TotalTokenCount.Should().Be(1300, "total_tokens");
        usage.CachedInputTokenCount.Should().Be(200, "prompt_tokens_details.cached_tokens");
        usage.ReasoningTokenCount.Should().Be(120, "completion_tokens_details.reasoning_tokens");
        usage.InputAudioTokenCount.Should().BeNull("audio lands in AdditionalCounts, not in the audio properties");
        usage.OutputAudioTokenCount.Should().BeNull();
        usage.InputTextTokenCount.Should().BeNull();
        usage.OutputTextTokenCount.Should().BeNull();
        usage.AdditionalCounts.Should().Equal(new Dictionary<string, long>
        {
            ["InputTokenDetails.AudioTokenCount"] = 50,
            ["OutputTokenDetails.AudioTokenCount"] = 30,
            ["OutputTokenDetails.AcceptedPredictionTokenCount"] = 7,
            ["OutputTokenDetails.RejectedPredictionTokenCount"] = 3,
        });
    }

    [Fact]
    public async Task OpenAI_chat_reports_zero_details_as_zero_not_as_missing()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletion(OpenAIWire.ChatCompletion(OpenAISnapshot, "Hello", new OpenAIWireUsage(100, 30)));

        UsageDetails usage = (await server.OpenAIChat(OpenAIModel).GetResponseAsync("hi")).Usage!;

        usage.CachedInputTokenCount.Should().Be(0);
        usage.ReasoningTokenCount.Should().Be(0);
        usage.AdditionalCounts.Should().Equal(new Dictionary<string, long>
        {
            ["InputTokenDetails.AudioTokenCount"] = 0,
            ["OutputTokenDetails.AudioTokenCount"] = 0,
            ["OutputTokenDetails.AcceptedPredictionTokenCount"] = 0,
            ["OutputTokenDetails.RejectedPredictionTokenCount"] = 0,
        });
    }

    [Fact]
    public async Task OpenAI_chat_without_detail_blocks_leaves_the_parts_null_and_no_additional_counts()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletion(OpenAIWire.ChatCompletion(OpenAISnapshot, "Hello", OpenAIFull, details: false));

        UsageDetails usage = (await server.OpenAIChat(OpenAIModel).GetResponseAsync("hi")).Usage!;

        usage.InputTokenCount.Should().Be(1000);
        usage.OutputTokenCount.Should().Be(300);
        usage.TotalTokenCount.Should().Be(1300);
        usage.CachedInputTokenCount.Should().BeNull("OpenAI-compatible servers often send no prompt_tokens_details");
        usage.ReasoningTokenCount.Should().BeNull();
        usage.AdditionalCounts.Should().NotBeNull().And.BeEmpty("the client always creates the dictionary for Chat Completions");
    }

    [Fact]
    public async Task OpenAI_chat_stream_carries_usage_once_on_the_chunk_with_empty_choices()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream(OpenAISnapshot, Pieces, OpenAIFull));

        List<ChatResponseUpdate> updates = await server.OpenAIChat(OpenAIModel).GetStreamingResponseAsync("hi").ToListAsync();

        // role chunk, two text chunks, finish chunk, usage chunk: one update per chunk.
        updates.Should().HaveCount(5);
        UsageContent usage = SingleUsage(updates, out int index);
        index.Should().Be(4, "usage rides on the last chunk, the one with empty choices");
        updates[index].Contents.Should().ContainSingle("that update carries nothing but the usage");
        updates[index].ModelId.Should().Be(OpenAISnapshot);
        usage.Details.InputTokenCount.Should().Be(1000);
        usage.Details.OutputTokenCount.Should().Be(300);
        usage.Details.TotalTokenCount.Should().Be(1300);
        usage.Details.CachedInputTokenCount.Should().Be(200);
        usage.Details.ReasoningTokenCount.Should().Be(120);
        usage.Details.InputAudioTokenCount.Should().BeNull();
        usage.Details.OutputAudioTokenCount.Should().BeNull();
        usage.Details.AdditionalCounts.Should().Equal(new Dictionary<string, long>
        {
            ["InputTokenDetails.AudioTokenCount"] = 50,
            ["OutputTokenDetails.AudioTokenCount"] = 30,
            ["OutputTokenDetails.AcceptedPredictionTokenCount"] = 7,
            ["OutputTokenDetails.RejectedPredictionTokenCount"] = 3,
        });
    }

    [Fact]
    public async Task OpenAI_chat_stream_asks_for_usage_without_being_told()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream(OpenAISnapshot, Pieces, OpenAIFull));

        _ = await server.OpenAIChat(OpenAIModel).GetStreamingResponseAsync("hi").ToListAsync();

        using JsonDocument request = JsonDocument.Parse(server.RequestBodies().Should().ContainSingle().Subject);
        request.RootElement.GetProperty("stream").GetBoolean().Should().BeTrue();
        request.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task OpenAI_chat_stream_without_a_usage_chunk_yields_no_usage_at_all()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream(OpenAISnapshot, Pieces, usage: null));

        List<ChatResponseUpdate> updates = await server.OpenAIChat(OpenAIModel).GetStreamingResponseAsync("hi").ToListAsync();

        updates.SelectMany(u => u.Contents).OfType<UsageContent>().Should().BeEmpty(
            "a gateway that drops stream_options leaves the caller to estimate");
        updates.ToChatResponse().Usage.Should().BeNull();
    }

    // ---- OpenAI Responses --------------------------------------------------------------------------------------

    [Fact]
    public async Task OpenAI_responses_maps_input_and_output_counts_and_has_no_additional_counts()
    {
        using var server = new ProviderServer();
        server.ServeResponse(OpenAIWire.Response(OpenAISnapshot, "Hello", OpenAIFull));

        ChatResponse response = await server.OpenAIResponses(OpenAIModel).GetResponseAsync("hi");

        response.ModelId.Should().Be(OpenAISnapshot);
        UsageDetails usage = response.Usage!;
        usage.InputTokenCount.Should().Be(1000, "input_tokens");
        usage.OutputTokenCount.Should().Be(300, "output_tokens");
        usage.TotalTokenCount.Should().Be(1300, "total_tokens");
        usage.CachedInputTokenCount.Should().Be(200, "input_tokens_details.cached_tokens");
        usage.ReasoningTokenCount.Should().Be(120, "output_tokens_details.reasoning_tokens");
        usage.InputAudioTokenCount.Should().BeNull();
        usage.OutputAudioTokenCount.Should().BeNull();
        usage.AdditionalCounts.Should().BeNull();
    }

    [Fact]
    public async Task OpenAI_responses_stream_carries_usage_once_on_the_response_completed_update()
    {
        using var server = new ProviderServer();
        server.ServeResponseStream(OpenAIWire.ResponseStream(OpenAISnapshot, Pieces, OpenAIFull));

        List<ChatResponseUpdate> updates = await server.OpenAIResponses(OpenAIModel).GetStreamingResponseAsync("hi").ToListAsync();

        UsageContent usage = SingleUsage(updates, out int index);
        index.Should().Be(updates.Count - 1);
        updates[index].RawRepresentation.Should().BeOfType<OpenAI.Responses.StreamingResponseCompletedUpdate>();
        updates[index].ModelId.Should().Be(OpenAISnapshot);
        usage.Details.InputTokenCount.Should().Be(1000);
        usage.Details.OutputTokenCount.Should().Be(300);
        usage.Details.TotalTokenCount.Should().Be(1300);
        usage.Details.CachedInputTokenCount.Should().Be(200);
        usage.Details.ReasoningTokenCount.Should().Be(120);
        usage.Details.AdditionalCounts.Should().BeNull();
        using JsonDocument request = JsonDocument.Parse(server.RequestBodies().Should().ContainSingle().Subject);
        request.RootElement.GetProperty("stream").GetBoolean().Should().BeTrue();
        request.RootElement.TryGetProperty("stream_options", out _).Should().BeFalse("the Responses API always reports usage");
    }

    // ---- Anthropic Messages ------------------------------------------------------------------------------------

    [Fact]
    public async Task Anthropic_input_count_includes_cache_reads_and_writes_and_cache_writes_go_to_additional_counts()
    {
        using var server = new ProviderServer();
        server.ServeMessage(AnthropicWire.Message(ClaudeSnapshot, "Hello", AnthropicFull));

        ChatResponse response = await server.Anthropic(ClaudeModel).GetResponseAsync("hi");

        response.ModelId.Should().Be(ClaudeSnapshot);
        UsageDetails usage = response.Usage!;
        usage.InputTokenCount.Should().Be(100 + 2000 + 1000, "input_tokens + cache_read_input_tokens + cache_creation_input_tokens");
        usage.CachedInputTokenCount.Should().Be(2000, "cache_read_input_tokens");
        usage.OutputTokenCount.Should().Be(300, "output_tokens");
        usage.TotalTokenCount.Should().Be(3400, "the client adds its input and output counts");
        usage.ReasoningTokenCount.Should().Be(120, "output_tokens_details.thinking_tokens");
        usage.InputAudioTokenCount.Should().BeNull();
        usage.OutputAudioTokenCount.Should().BeNull();
        usage.AdditionalCounts.Should().Equal(new Dictionary<string, long>
        {
            ["CacheCreationInputTokens"] = 1000, // 5m + 1h together: the split is not in UsageDetails
            ["WebSearchRequests"] = 2,
        });
    }

    [Fact]
    public async Task Anthropic_without_cache_or_thinking_reports_zero_cached_no_reasoning_and_no_additional_counts()
    {
        using var server = new ProviderServer();
        server.ServeMessage(AnthropicWire.Message(ClaudeSnapshot, "Hello", new AnthropicWireUsage(100, 30)));

        UsageDetails usage = (await server.Anthropic(ClaudeModel).GetResponseAsync("hi")).Usage!;

        usage.InputTokenCount.Should().Be(100);
        usage.CachedInputTokenCount.Should().Be(0);
        usage.ReasoningTokenCount.Should().BeNull("no output_tokens_details on the wire");
        usage.AdditionalCounts.Should().BeNull("CacheCreationInputTokens is only added when above zero");
    }

    [Fact]
    public async Task Anthropic_stream_yields_one_usage_after_the_last_event_merging_message_start_and_an_output_only_delta()
    {
        using var server = new ProviderServer();
        server.ServeMessageStream(AnthropicWire.MessageStream(
            ClaudeSnapshot, Pieces, AnthropicFull, AnthropicDeltaUsage.OutputOnly, startOutputTokens: 1));

        List<ChatResponseUpdate> updates = await server.Anthropic(ClaudeModel).GetStreamingResponseAsync("hi").ToListAsync();

        UsageContent usage = SingleUsage(updates, out int index);
        index.Should().Be(updates.Count - 1, "the client adds its own update after message_stop");
        updates[index].RawRepresentation.Should().BeNull();
        updates[index].ModelId.Should().Be(ClaudeSnapshot);
        usage.Details.InputTokenCount.Should().Be(3100, "input and cache counts come from message_start");
        usage.Details.OutputTokenCount.Should().Be(300, "the delta's cumulative output_tokens replaces message_start's 1: no sum");
        usage.Details.TotalTokenCount.Should().Be(3400);
        usage.Details.CachedInputTokenCount.Should().Be(2000);
        usage.Details.ReasoningTokenCount.Should().BeNull("this delta has no output_tokens_details");
        usage.Details.AdditionalCounts.Should().Equal(new Dictionary<string, long>
        {
            ["CacheCreationInputTokens"] = 1000,
            ["WebSearchRequests"] = 2,
        });
    }

    [Fact]
    public async Task Anthropic_stream_takes_a_cumulative_delta_over_message_start()
    {
        var start = new AnthropicWireUsage(100, 1, CacheReadTokens: 2000, CacheWrite5mTokens: 400, CacheWrite1hTokens: 600);
        var final = new AnthropicWireUsage(150, 300, CacheReadTokens: 2500, CacheWrite5mTokens: 500, CacheWrite1hTokens: 700, ThinkingTokens: 120);
        using var server = new ProviderServer();
        server.ServeMessageStream(AnthropicWire.MessageStream(
            ClaudeSnapshot, Pieces, final, AnthropicDeltaUsage.Cumulative, startOutputTokens: 1, startUsage: start));

        List<ChatResponseUpdate> updates = await server.Anthropic(ClaudeModel).GetStreamingResponseAsync("hi").ToListAsync();

        UsageDetails usage = SingleUsage(updates, out _).Details;
        usage.InputTokenCount.Should().Be(150 + 2500 + 1200, "the delta's counts win, not message_start's and not their sum");
        usage.CachedInputTokenCount.Should().Be(2500);
        usage.OutputTokenCount.Should().Be(300);
        usage.TotalTokenCount.Should().Be(4150);
        usage.ReasoningTokenCount.Should().Be(120, "the delta's output_tokens_details.thinking_tokens");
        usage.AdditionalCounts.Should().Equal(new Dictionary<string, long> { ["CacheCreationInputTokens"] = 1200 });
    }

    [Fact]
    public async Task Anthropic_cache_write_split_is_only_in_the_raw_representation()
    {
        using var server = new ProviderServer();
        server.ServeMessage(AnthropicWire.Message(ClaudeSnapshot, "Hello", AnthropicFull));
        ChatResponse response = await server.Anthropic(ClaudeModel).GetResponseAsync("hi");

        Message message = response.RawRepresentation.Should().BeOfType<Message>().Subject;
        message.Usage.CacheCreation!.Ephemeral5mInputTokens.Should().Be(400);
        message.Usage.CacheCreation.Ephemeral1hInputTokens.Should().Be(600);

        using var streamServer = new ProviderServer();
        streamServer.ServeMessageStream(AnthropicWire.MessageStream(ClaudeSnapshot, Pieces, AnthropicFull, AnthropicDeltaUsage.Cumulative));
        List<ChatResponseUpdate> updates = await streamServer.Anthropic(ClaudeModel).GetStreamingResponseAsync("hi").ToListAsync();

        // Streamed, only message_start has the split (message_delta's usage has no cache_creation object).
        RawMessageStreamEvent first = updates[0].RawRepresentation.Should().BeOfType<RawMessageStreamEvent>().Subject;
        first.TryPickStart(out RawMessageStartEvent? start).Should().BeTrue();
        start!.Message.Usage.CacheCreation!.Ephemeral5mInputTokens.Should().Be(400);
        start.Message.Usage.CacheCreation.Ephemeral1hInputTokens.Should().Be(600);
    }

    [Fact]
    public async Task Anthropic_client_rejects_a_server_tool_use_block_without_web_fetch_requests()
    {
        string body = AnthropicWire.Message(ClaudeSnapshot, "Hello", AnthropicFull).Replace(",\"web_fetch_requests\":0", string.Empty, StringComparison.Ordinal);
        using var server = new ProviderServer();
        server.ServeMessage(body);

        Func<Task> call = () => server.Anthropic(ClaudeModel).GetResponseAsync("hi");

        await call.Should().ThrowAsync<AnthropicInvalidDataException>().WithMessage("*web_fetch_requests*");
    }

    // ---- Across providers ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("openai-chat")]
    [InlineData("openai-responses")]
    [InlineData("anthropic")]
    public async Task Streamed_usage_equals_buffered_usage_for_the_same_wire_numbers(string kind)
    {
        using var buffered = new ProviderServer();
        using var streamed = new ProviderServer();
        IChatClient bufferedClient;
        IChatClient streamedClient;
        switch (kind)
        {
            case "openai-chat":
                buffered.ServeChatCompletion(OpenAIWire.ChatCompletion(OpenAISnapshot, "Hello", OpenAIFull));
                streamed.ServeChatCompletionStream(OpenAIWire.ChatCompletionStream(OpenAISnapshot, Pieces, OpenAIFull));
                bufferedClient = buffered.OpenAIChat(OpenAIModel);
                streamedClient = streamed.OpenAIChat(OpenAIModel);
                break;
            case "openai-responses":
                buffered.ServeResponse(OpenAIWire.Response(OpenAISnapshot, "Hello", OpenAIFull));
                streamed.ServeResponseStream(OpenAIWire.ResponseStream(OpenAISnapshot, Pieces, OpenAIFull));
                bufferedClient = buffered.OpenAIResponses(OpenAIModel);
                streamedClient = streamed.OpenAIResponses(OpenAIModel);
                break;
            default:
                buffered.ServeMessage(AnthropicWire.Message(ClaudeSnapshot, "Hello", AnthropicFull));
                streamed.ServeMessageStream(AnthropicWire.MessageStream(ClaudeSnapshot, Pieces, AnthropicFull, AnthropicDeltaUsage.Cumulative));
                bufferedClient = buffered.Anthropic(ClaudeModel);
                streamedClient = streamed.Anthropic(ClaudeModel);
                break;
        }

        ChatResponse whole = await bufferedClient.GetResponseAsync("hi");
        ChatResponse joined = (await streamedClient.GetStreamingResponseAsync("hi").ToListAsync()).ToChatResponse();

        joined.Usage.Should().BeEquivalentTo(whole.Usage);
        joined.ModelId.Should().Be(whole.ModelId);
        joined.Text.Should().Be(whole.Text);
    }

    [Fact]
    public void Clients_report_their_provider_name_endpoint_and_default_model()
    {
        using var server = new ProviderServer();

        ChatClientMetadata chat = server.OpenAIChat(OpenAIModel).GetService<ChatClientMetadata>()!;
        ChatClientMetadata responses = server.OpenAIResponses(OpenAIModel).GetService<ChatClientMetadata>()!;
        ChatClientMetadata anthropic = server.Anthropic(ClaudeModel).GetService<ChatClientMetadata>()!;

        chat.ProviderName.Should().Be("openai");
        chat.ProviderUri.Should().Be(new Uri(server.Url + "/v1"));
        chat.DefaultModelId.Should().Be(OpenAIModel);
        responses.ProviderName.Should().Be("openai", "the Responses client does not name itself apart from Chat Completions");
        responses.ProviderUri.Should().Be(new Uri(server.Url + "/v1"));
        responses.DefaultModelId.Should().Be(OpenAIModel);
        anthropic.ProviderName.Should().Be("anthropic");
        anthropic.ProviderUri.Should().Be(new Uri(server.Url + "/"));
        anthropic.DefaultModelId.Should().Be(ClaudeModel);
    }

    private static UsageContent SingleUsage(List<ChatResponseUpdate> updates, out int index)
    {
        index = -1;
        UsageContent? found = null;
        for (int i = 0; i < updates.Count; i++)
        {
            foreach (AIContent content in updates[i].Contents)
            {
                if (content is UsageContent usage)
                {
                    found.Should().BeNull("each client yields exactly one UsageContent per streamed response");
                    found = usage;
                    index = i;
                }
            }
        }

        found.Should().NotBeNull();
        return found!;
    }
}
