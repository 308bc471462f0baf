using System.Text.Json;
using System.Text.Json.Nodes;
using AiOrchestrator.Tests.Providers;
using Microsoft.Extensions.AI;

#pragma warning disable MEAI001 // The audio parts of UsageDetails are experimental.

namespace AiOrchestrator.Tests.Usage;

/// <summary>
/// The IChatClient path: the real SDK clients (OpenAI through Microsoft.Extensions.AI.OpenAI, Anthropic's own) against
/// documented wire bodies, their <see cref="UsageDetails"/> and raw representations normalised by
/// <see cref="UsageDetailsExtensions.ToTokenUsage"/>; buffered and streamed give the same usage, and the same as the
/// wire parsers.
/// </summary>
public sealed class UsageDetailsGoldenTests
{
    private const string OpenAISnapshot = "gpt-4o-2024-08-06";
    private const string ClaudeSnapshot = "claude-sonnet-4-5-20250929";
    private static readonly string[] Pieces = ["Hel", "lo"];

    private static readonly OpenAIWireUsage OpenAIBase = new(
        PromptTokens: 5000, CompletionTokens: 900, CachedTokens: 1200, PromptAudioTokens: 400, ReasoningTokens: 320, CompletionAudioTokens: 210);

    private static readonly TokenUsage OpenAIExpected = new()
    {
        InputTokens = 5000,
        CachedInputTokens = 1200,
        CacheWriteTokens = 800,
        InputAudioTokens = 400,
        InputImageTokens = 350,
        OutputTokens = 900,
        ReasoningTokens = 320,
        OutputAudioTokens = 210,
        OutputImageTokens = 90,
    };

    private static readonly AnthropicWireUsage AnthropicFull = new(
        InputTokens: 120, OutputTokens: 900, CacheReadTokens: 7000, CacheWrite5mTokens: 300, CacheWrite1hTokens: 1500, ThinkingTokens: 640, WebSearchRequests: 3);

    private static readonly TokenUsage AnthropicExpected = new()
    {
        InputTokens = 8920,
        CachedInputTokens = 7000,
        CacheWriteTokens = 300,
        CacheWrite1hTokens = 1500,
        OutputTokens = 900,
        ReasoningTokens = 640,
        WebSearches = 3,
    };

    [Fact]
    public async Task OpenAI_chat_buffered_reads_cache_writes_and_image_tokens_from_the_raw_completion()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletion(WithOpenAIExtras(OpenAIWire.ChatCompletion(OpenAISnapshot, "Hello", OpenAIBase)));

        ChatResponse response = await server.OpenAIChat("gpt-4o").GetResponseAsync("hi");

        response.Usage!.ToTokenUsage(response.RawRepresentation).Should().Be(OpenAIExpected);
        response.Usage!.ToTokenUsage().Should().Be(OpenAIExpected with { CacheWriteTokens = 0, InputImageTokens = 0, OutputImageTokens = 0 },
            "without the raw response only what the adapter reports is known");
    }

    [Fact]
    public async Task OpenAI_chat_streamed_with_the_raw_usage_chunk_equals_buffered()
    {
        using var server = new ProviderServer();
        server.ServeChatCompletionStream(WithOpenAIExtras(OpenAIWire.ChatCompletionStream(OpenAISnapshot, Pieces, OpenAIBase)));

        List<ChatResponseUpdate> updates = await server.OpenAIChat("gpt-4o").GetStreamingResponseAsync("hi").ToListAsync();

        var (details, usageRaw) = Collect(updates);
        details.ToTokenUsage(usageRaw).Should().Be(OpenAIExpected);

        // The first chunk carries no usage: given only it, the raw-only parts are unknown, the rest is the same.
        details.ToTokenUsage(updates[0].RawRepresentation).Should().Be(OpenAIExpected with { CacheWriteTokens = 0, InputImageTokens = 0, OutputImageTokens = 0 });
    }

    [Fact]
    public async Task OpenAI_responses_buffered_and_streamed_read_the_same_usage_as_the_wire_parser()
    {
        var wire = new OpenAIWireUsage(2400, 1300, CachedTokens: 1024, ReasoningTokens: 600);
        using var buffered = new ProviderServer();
        using var streamed = new ProviderServer();
        buffered.ServeResponse(WithOpenAIExtras(OpenAIWire.Response(OpenAISnapshot, "Hello", wire)));
        streamed.ServeResponseStream(WithOpenAIExtras(OpenAIWire.ResponseStream(OpenAISnapshot, Pieces, wire)));

        ChatResponse whole = await buffered.OpenAIResponses("gpt-4o").GetResponseAsync("hi");
        var (details, usageRaw) = Collect(await streamed.OpenAIResponses("gpt-4o").GetStreamingResponseAsync("hi").ToListAsync());

        var expected = new TokenUsage
        {
            InputTokens = 2400,
            CachedInputTokens = 1024,
            CacheWriteTokens = 800,
            InputImageTokens = 350,
            OutputTokens = 1300,
            ReasoningTokens = 600,
            OutputImageTokens = 90,
        };
        whole.Usage!.ToTokenUsage(whole.RawRepresentation).Should().Be(expected);
        details.ToTokenUsage(usageRaw).Should().Be(expected);
        OpenAIUsageGoldenTests.UsageOf(WithOpenAIExtras(OpenAIWire.Response(OpenAISnapshot, "Hello", wire))).Should().Be(expected);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Anthropic_streamed_with_message_start_equals_buffered_with_web_searches_and_the_one_hour_split(bool cumulativeDelta)
    {
        using var buffered = new ProviderServer();
        using var streamed = new ProviderServer();
        var shape = cumulativeDelta ? AnthropicDeltaUsage.Cumulative : AnthropicDeltaUsage.OutputOnly;
        var full = cumulativeDelta ? AnthropicFull : AnthropicFull with { ThinkingTokens = null };
        buffered.ServeMessage(AnthropicWire.Message(ClaudeSnapshot, "Hello", full));
        streamed.ServeMessageStream(AnthropicWire.MessageStream(ClaudeSnapshot, Pieces, full, shape));

        ChatResponse whole = await buffered.Anthropic("claude-sonnet-4-5").GetResponseAsync("hi");
        List<ChatResponseUpdate> updates = await streamed.Anthropic("claude-sonnet-4-5").GetStreamingResponseAsync("hi").ToListAsync();
        var (details, _) = Collect(updates);

        var expected = cumulativeDelta ? AnthropicExpected : AnthropicExpected with { ReasoningTokens = 0 };
        whole.Usage!.ToTokenUsage(whole.RawRepresentation).Should().Be(expected);
        details.ToTokenUsage(updates[0].RawRepresentation).Should().Be(expected, "message_start, the first event, has the split");
        AnthropicUsageGoldenTests.Buffered(AnthropicWire.Message(ClaudeSnapshot, "Hello", full)).Should().Be(expected);
    }

    [Fact]
    public async Task Anthropic_without_the_raw_message_prices_every_cache_write_as_five_minutes_but_keeps_web_searches()
    {
        using var server = new ProviderServer();
        server.ServeMessage(AnthropicWire.Message(ClaudeSnapshot, "Hello", AnthropicFull));

        ChatResponse response = await server.Anthropic("claude-sonnet-4-5").GetResponseAsync("hi");

        response.Usage!.ToTokenUsage().Should().Be(AnthropicExpected with { CacheWriteTokens = 1800, CacheWrite1hTokens = 0 });
    }

    [Fact]
    public async Task Anthropic_web_fetches_are_not_counted()
    {
        string body = AnthropicWire.Message(ClaudeSnapshot, "Hello", AnthropicFull)
            .Replace("\"web_fetch_requests\":0", "\"web_fetch_requests\":5", StringComparison.Ordinal);
        using var server = new ProviderServer();
        server.ServeMessage(body);

        ChatResponse response = await server.Anthropic("claude-sonnet-4-5").GetResponseAsync("hi");

        response.Usage!.ToTokenUsage(response.RawRepresentation).Should().Be(AnthropicExpected);
    }

    [Fact]
    public void Every_additional_count_key_of_the_adapters_lands_in_its_unit()
    {
        var details = new UsageDetails
        {
            InputTokenCount = 3000,
            OutputTokenCount = 700,
            TotalTokenCount = 3700,
            AdditionalCounts = new()
            {
                ["InputTokenDetails.CachedTokenCount"] = 1000,
                ["InputTokenDetails.AudioTokenCount"] = 300,
                ["InputTokenDetails.ImageTokenCount"] = 200,
                ["InputTokenDetails.TextTokenCount"] = 1500,
                ["OutputTokenDetails.ReasoningTokenCount"] = 250,
                ["OutputTokenDetails.AudioTokenCount"] = 150,
                ["OutputTokenDetails.AcceptedPredictionTokenCount"] = 9,
                ["OutputTokenDetails.RejectedPredictionTokenCount"] = 8,
                ["CacheCreationInputTokens"] = 400,
                ["WebSearchRequests"] = 6,
                ["WebFetchRequests"] = 2,
            },
        };

        details.ToTokenUsage().Should().Be(new TokenUsage
        {
            InputTokens = 3000,
            CachedInputTokens = 1000,
            CacheWriteTokens = 400,
            InputAudioTokens = 300,
            InputImageTokens = 200,
            OutputTokens = 700,
            ReasoningTokens = 250,
            OutputAudioTokens = 150,
            WebSearches = 6,
        });
    }

    [Fact]
    public void Typed_counts_win_over_additional_counts_and_audio_falls_back_to_the_typed_properties()
    {
        var details = new UsageDetails
        {
            InputTokenCount = 900,
            OutputTokenCount = 300,
            CachedInputTokenCount = 100,
            ReasoningTokenCount = 50,
            InputAudioTokenCount = 70,
            OutputAudioTokenCount = 60,
            AdditionalCounts = new() { ["CachedInputTokenCount"] = 999, ["ReasoningTokenCount"] = 999 },
        };

        details.ToTokenUsage().Should().Be(new TokenUsage
        {
            InputTokens = 900, CachedInputTokens = 100, InputAudioTokens = 70, OutputTokens = 300, ReasoningTokens = 50, OutputAudioTokens = 60,
        });
    }

    [Fact]
    public void Input_without_cache_traffic_is_put_right()
    {
        // Anthropic's wire convention: input_tokens excludes cache reads and writes.
        var details = new UsageDetails
        {
            InputTokenCount = 50,
            OutputTokenCount = 200,
            CachedInputTokenCount = 1000,
            AdditionalCounts = new() { ["CacheCreationInputTokens"] = 300 },
        };

        details.ToTokenUsage().Should().Be(new TokenUsage { InputTokens = 1350, CachedInputTokens = 1000, CacheWriteTokens = 300, OutputTokens = 200 });
    }

    [Theory]
    [InlineData(370, 320)]
    [InlineData(250, 200)]
    [InlineData(null, 200)]
    public void Reasoning_apart_from_the_output_shows_in_the_total_and_is_added(int? total, long expectedOutput)
    {
        // Gemini's thoughts and xAI's reasoning are reported apart from the output; OpenAI's inside it.
        var details = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 200, TotalTokenCount = total, ReasoningTokenCount = 120 };

        details.ToTokenUsage().Should().Be(new TokenUsage { InputTokens = 50, OutputTokens = expectedOutput, ReasoningTokens = 120 });
    }

    [Fact]
    public void Gemini_modality_details_are_read_from_the_raw_usage_metadata()
    {
        using var raw = JsonDocument.Parse("""
            {"candidates":[],"modelVersion":"gemini-2.5-flash",
             "usageMetadata":{"promptTokenCount":9650,"candidatesTokenCount":500,"cachedContentTokenCount":9600,"thoughtsTokenCount":300,
               "promptTokensDetails":[{"modality":"TEXT","tokenCount":50},{"modality":"AUDIO","tokenCount":9000},{"modality":"IMAGE","tokenCount":600}],
               "cacheTokensDetails":[{"modality":"AUDIO","tokenCount":9000},{"modality":"IMAGE","tokenCount":600}],
               "candidatesTokensDetails":[{"modality":"TEXT","tokenCount":100},{"modality":"AUDIO","tokenCount":400}]}}
            """);
        var details = new UsageDetails
        {
            InputTokenCount = 9650, OutputTokenCount = 500, TotalTokenCount = 10450, CachedInputTokenCount = 9600, ReasoningTokenCount = 300,
        };

        var usage = details.ToTokenUsage(raw.RootElement);

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 9650,
            CachedInputTokens = 9600,
            InputAudioTokens = 9000,
            CachedAudioInputTokens = 9000,
            InputImageTokens = 600,
            CachedImageInputTokens = 600,
            OutputTokens = 800,
            ReasoningTokens = 300,
            OutputAudioTokens = 400,
        });
        usage.Should().Be(GeminiUsage.Parse(raw.RootElement.GetProperty("usageMetadata")));
    }

    [Fact]
    public void Perplexity_citations_and_searches_come_from_the_raw_chunk_of_the_same_call()
    {
        // The OpenAI adapter reports prompt and completion tokens; citations, reasoning and searches are only raw.
        using var raw = JsonDocument.Parse("""
            {"id":"x","model":"sonar-deep-research","choices":[],
             "usage":{"prompt_tokens":19,"completion_tokens":6470,"total_tokens":6489,"citation_tokens":13590,"num_search_queries":27,"reasoning_tokens":80720}}
            """);
        var details = new UsageDetails { InputTokenCount = 19, OutputTokenCount = 6470, TotalTokenCount = 6489 };

        details.ToTokenUsage(raw.RootElement).Should().Be(new TokenUsage
        {
            InputTokens = 19, OutputTokens = 100780, ReasoningTokens = 80720, CitationTokens = 13590, WebSearches = 27,
        });
    }

    [Fact]
    public void A_raw_OpenAI_usage_of_another_call_only_adds_its_parts()
    {
        // Same parts, other totals (a raw event of another attempt): the reported totals stay, the parts are added.
        using var raw = JsonDocument.Parse("""{"usage":{"prompt_tokens":900,"completion_tokens":40,"prompt_tokens_details":{"image_tokens":60,"audio_tokens":20,"cached_tokens":10,"cached_tokens_details":{"audio_tokens":5}},"completion_tokens_details":{"image_tokens":30}}}""");
        var details = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 50, AdditionalCounts = new() { ["InputTokenDetails.AudioTokenCount"] = 20, ["InputTokenDetails.CachedTokenCount"] = 10 } };

        details.ToTokenUsage(raw.RootElement).Should().Be(new TokenUsage
        {
            InputTokens = 1000, CachedInputTokens = 10, InputAudioTokens = 20, CachedAudioInputTokens = 5, InputImageTokens = 60, OutputTokens = 50, OutputImageTokens = 30,
        });
    }

    [Fact]
    public void The_top_level_cached_tokens_of_Anthropic_s_OpenAI_compatible_endpoint_are_cache_reads()
    {
        OpenAIUsage.Parse("""{"prompt_tokens":300,"completion_tokens":20,"cached_tokens":256}"""u8)
            .Should().Be(new TokenUsage { InputTokens = 300, CachedInputTokens = 256, OutputTokens = 20 });
    }

    [Fact]
    public void Raw_counts_that_do_not_fit_the_reported_totals_are_ignored()
    {
        // A raw event from another point of the stream: its image count is more than the reported input.
        using var raw = JsonDocument.Parse("""{"usage":{"prompt_tokens":9000,"completion_tokens":1,"prompt_tokens_details":{"image_tokens":8000}}}""");
        var details = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 };

        details.ToTokenUsage(raw.RootElement).Should().Be(new TokenUsage { InputTokens = 100, OutputTokens = 20 });
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"usage":{"prompt_tokens":-1}}""")]
    [InlineData("""{"id":"x"}""")]
    public void A_raw_representation_without_readable_usage_changes_nothing(string raw)
    {
        var details = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20, AdditionalCounts = new() { ["CacheCreationInputTokens"] = 30 } };

        details.ToTokenUsage(raw).Should().Be(new TokenUsage { InputTokens = 100, CacheWriteTokens = 30, OutputTokens = 20 });
        details.ToTokenUsage(new object()).Should().Be(new TokenUsage { InputTokens = 100, CacheWriteTokens = 30, OutputTokens = 20 });
    }

    [Fact]
    public void Inconsistent_reported_usage_is_rejected()
    {
        var details = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, ReasoningTokenCount = 6 };
        var act = () => details.ToTokenUsage();
        act.Should().Throw<InvalidUsageException>().WithMessage("*reasoning (6)*more than the 5 output tokens.");
    }

    /// <summary>Adds OpenAI's cache writes and image tokens to every usage object of a body or stream.</summary>
    private static string WithOpenAIExtras(string wire)
    {
        if (!wire.StartsWith("data:", StringComparison.Ordinal) && !wire.StartsWith("event:", StringComparison.Ordinal))
        {
            return AddExtras(wire);
        }

        var lines = wire.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("data: {", StringComparison.Ordinal))
            {
                lines[i] = "data: " + AddExtras(lines[i]["data: ".Length..]);
            }
        }

        return string.Join('\n', lines);
    }

    private static string AddExtras(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var holder = node["response"] as JsonObject ?? node;
        if (holder["usage"] is JsonObject usage)
        {
            var input = (usage["prompt_tokens_details"] ?? usage["input_tokens_details"])!.AsObject();
            input["cache_write_tokens"] = 800;
            input["image_tokens"] = 350;
            var output = (usage["completion_tokens_details"] ?? usage["output_tokens_details"])!.AsObject();
            output["image_tokens"] = 90;
        }

        return node.ToJsonString();
    }

    /// <summary>What a stream reader keeps: the usage details added up, and the raw event of the update that carried them.</summary>
    private static (UsageDetails Details, object? Raw) Collect(List<ChatResponseUpdate> updates)
    {
        var details = new UsageDetails();
        object? raw = null;
        foreach (var update in updates)
        {
            foreach (var usage in update.Contents.OfType<UsageContent>())
            {
                details.Add(usage.Details);
                raw = update.RawRepresentation;
            }
        }

        return (details, raw);
    }

    [Fact]
    public void Null_details_are_an_argument_error()
    {
        var act = () => ((UsageDetails)null!).ToTokenUsage();
        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("details");
    }

    [Theory]
    [InlineData(1000, 600, 400, 0, 1000)] // all of it read from or written to the cache: it holds its cache traffic
    [InlineData(800, 1000, 300, 0, 2100)] // less than its cache reads: Anthropic's uncached input
    [InlineData(100, 60, 0, 50, 160)] // too small for its cache reads and its audio together
    public void Input_is_put_right_only_when_it_cannot_hold_its_cache_traffic_and_audio(
        long reportedInput, long cached, long writes, long audio, long expectedInput)
    {
        var details = new UsageDetails
        {
            InputTokenCount = reportedInput,
            OutputTokenCount = 20,
            CachedInputTokenCount = cached,
            AdditionalCounts = new() { ["CacheCreationInputTokens"] = writes, ["InputTokenDetails.AudioTokenCount"] = audio },
        };

        details.ToTokenUsage().Should().Be(new TokenUsage
        {
            InputTokens = expectedInput, CachedInputTokens = cached, CacheWriteTokens = writes, InputAudioTokens = audio, OutputTokens = 20,
        });
    }

    [Fact]
    public void Parts_the_adapter_reports_win_over_a_raw_OpenAI_usage_of_another_call_which_adds_its_cache_writes()
    {
        using var raw = JsonDocument.Parse("""
            {"usage":{"prompt_tokens":900,"completion_tokens":40,"num_search_queries":5,
              "prompt_tokens_details":{"cache_write_tokens":100,"image_tokens":70}}}
            """);
        var details = new UsageDetails
        {
            InputTokenCount = 1000,
            OutputTokenCount = 50,
            AdditionalCounts = new() { ["InputTokenDetails.ImageTokenCount"] = 60, ["WebSearchRequests"] = 2 },
        };

        details.ToTokenUsage(raw.RootElement).Should().Be(new TokenUsage
        {
            InputTokens = 1000, CacheWriteTokens = 100, InputImageTokens = 60, OutputTokens = 50, WebSearches = 2,
        });
    }

    [Fact]
    public void A_top_level_reasoning_count_the_adapter_drops_comes_from_the_raw_usage_of_the_same_call()
    {
        // A compatible server (Modal) reports reasoning at the top level, inside completion_tokens; the adapter reads
        // only completion_tokens_details.
        using var raw = JsonDocument.Parse("""{"usage":{"prompt_tokens":12,"completion_tokens":80,"total_tokens":92,"reasoning_tokens":55}}""");
        var details = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 80, TotalTokenCount = 92 };

        details.ToTokenUsage(raw.RootElement).Should().Be(new TokenUsage { InputTokens = 12, OutputTokens = 80, ReasoningTokens = 55 });
    }

    [Fact]
    public void Gemini_usage_metadata_gives_only_its_parts_the_totals_stay_the_adapter_s()
    {
        using var raw = JsonDocument.Parse("""
            {"usageMetadata":{"promptTokenCount":1200,"candidatesTokenCount":300,"thoughtsTokenCount":700,
              "promptTokensDetails":[{"modality":"TEXT","tokenCount":1000},{"modality":"IMAGE","tokenCount":200}]}}
            """);
        var details = new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 300 };

        details.ToTokenUsage(raw.RootElement).Should().Be(new TokenUsage { InputTokens = 1200, InputImageTokens = 200, OutputTokens = 300 });
    }

    [Theory]
    [InlineData("""{"usage_metadata":{"promptTokenCount":100,"candidatesTokenCount":20,"promptTokensDetails":[{"modality":"AUDIO","tokenCount":60}]}}""")]
    [InlineData("""{"usageMetadata":{"promptTokenCount":100,"promptTokensDetails":[{"modality":"AUDIO","tokenCount":60}]}}""")]
    public void Gemini_usage_metadata_in_snake_case_or_with_only_a_prompt_count_gives_its_parts(string raw)
    {
        // Early chunks of a Gemini stream carry the prompt count alone.
        var details = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 20 };
        details.ToTokenUsage(raw).Should().Be(new TokenUsage { InputTokens = 100, InputAudioTokens = 60, OutputTokens = 20 });
    }

    [Fact]
    public void Gemini_usage_metadata_with_only_a_candidates_count_gives_its_parts()
    {
        var details = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 50 };
        details.ToTokenUsage("""{"usageMetadata":{"candidatesTokenCount":50,"candidatesTokensDetails":[{"modality":"IMAGE","tokenCount":40}]}}""")
            .Should().Be(new TokenUsage { InputTokens = 10, OutputTokens = 50, OutputImageTokens = 40 });
    }

    private const string AnthropicSplitUsage = """
        {"input_tokens":20,"output_tokens":1,"cache_creation_input_tokens":300,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}}
        """;

    private static readonly UsageDetails AnthropicSplitDetails = new()
    {
        InputTokenCount = 320, OutputTokenCount = 50, AdditionalCounts = new() { ["CacheCreationInputTokens"] = 300 },
    };

    private static readonly TokenUsage AnthropicSplitExpected = new() { InputTokens = 320, CacheWriteTokens = 100, CacheWrite1hTokens = 200, OutputTokens = 50 };

    [Fact]
    public void Anthropic_message_start_as_json_gives_the_one_hour_split()
    {
        AnthropicSplitDetails.ToTokenUsage("""{"type":"message_start","message":{"id":"m","usage":""" + AnthropicSplitUsage + "}}")
            .Should().Be(AnthropicSplitExpected);
        AnthropicSplitDetails.ToTokenUsage(AnthropicSplitUsage.Replace("\"cache_creation_input_tokens\":300,", "", StringComparison.Ordinal))
            .Should().Be(AnthropicSplitExpected, "the split alone marks Anthropic's usage");
    }

    [Fact]
    public void An_SDK_model_s_usage_is_found_by_name_even_when_the_rest_of_the_model_cannot_be_serialised()
    {
        using var usage = JsonDocument.Parse(AnthropicSplitUsage);
        var message = new SdkModel { Usage = usage.RootElement };

        AnthropicSplitDetails.ToTokenUsage(message).Should().Be(AnthropicSplitExpected, "a message's usage");
        AnthropicSplitDetails.ToTokenUsage(new SdkModel { Message = message }).Should().Be(AnthropicSplitExpected, "message_start's message's usage");
        AnthropicSplitDetails.ToTokenUsage(new SdkModel { Response = message }).Should().Be(AnthropicSplitExpected, "a completed event's response's usage");
        AnthropicSplitDetails.ToTokenUsage(new SdkModel()).Should().Be(AnthropicSplitExpected with { CacheWriteTokens = 300, CacheWrite1hTokens = 0 }, "no usage at all");
    }

    [Fact]
    public void An_Anthropic_message_delta_with_only_output_and_server_tool_use_gives_the_web_searches()
    {
        var details = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 400 };
        details.ToTokenUsage("""{"type":"message_delta","usage":{"output_tokens":400,"server_tool_use":{"web_search_requests":2}}}""")
            .Should().Be(new TokenUsage { InputTokens = 100, OutputTokens = 400, WebSearches = 2 });
    }

    [Fact]
    public void Anthropic_thinking_details_mark_Anthropic_s_usage_not_OpenAI_s()
    {
        // Read as OpenAI's, the usage of the same call would replace the reported reasoning with none.
        var details = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 300, ReasoningTokenCount = 120 };
        details.ToTokenUsage("""{"input_tokens":50,"output_tokens":300,"output_tokens_details":{"thinking_tokens":120}}""")
            .Should().Be(new TokenUsage { InputTokens = 50, OutputTokens = 300, ReasoningTokens = 120 });
    }

    [Theory]
    [InlineData("""{"input_tokens":50,"output_tokens":300,"total_tokens":350,"input_tokens_details":{"cache_write_tokens":30},"output_tokens_details":null}""", 30, 0)]
    [InlineData("""{"input_tokens":50,"output_tokens":300,"total_tokens":350,"output_tokens_details":{"image_tokens":90}}""", 0, 90)]
    public void A_responses_usage_with_one_details_object_gives_its_parts(string raw, long cacheWrites, long outputImages)
    {
        var details = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 300, TotalTokenCount = 350 };
        details.ToTokenUsage(raw).Should().Be(new TokenUsage { InputTokens = 50, CacheWriteTokens = cacheWrites, OutputTokens = 300, OutputImageTokens = outputImages });
    }

    [Fact]
    public void A_null_usage_field_is_passed_over_for_the_response_that_holds_the_usage()
    {
        var details = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 300 };
        details.ToTokenUsage("""{"usage":null,"response":{"usage":{"input_tokens":50,"output_tokens":300,"input_tokens_details":{"cache_write_tokens":30}}}}""")
            .Should().Be(new TokenUsage { InputTokens = 50, CacheWriteTokens = 30, OutputTokens = 300 });
    }

    [Theory]
    [InlineData(4, 30)]
    [InlineData(5, 0)]
    public void The_usage_is_looked_for_at_most_four_levels_deep(int depth, long expectedWrites)
    {
        var raw = """{"input_tokens":50,"output_tokens":300,"input_tokens_details":{"cache_write_tokens":30}}""";
        for (var i = 0; i < depth; i++)
        {
            raw = """{"response":""" + raw + "}";
        }

        var details = new UsageDetails { InputTokenCount = 50, OutputTokenCount = 300 };
        details.ToTokenUsage(raw).Should().Be(new TokenUsage { InputTokens = 50, CacheWriteTokens = expectedWrites, OutputTokens = 300 });
    }

    /// <summary>An SDK model: its usage (or its message's or response's) by name, and a member JSON cannot write.</summary>
    private sealed class SdkModel
    {
        public object? Usage { get; init; }

        public SdkModel? Message { get; init; }

        public SdkModel? Response { get; init; }

        public Func<int> Callback { get; } = static () => 0;
    }
}
