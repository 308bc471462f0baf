using System.Text;
using System.Text.Json;
using AiOrchestrator.Tests.Providers;

namespace AiOrchestrator.Tests.Usage;

/// <summary>
/// OpenAI's documented usage shapes (Chat Completions, Responses, Images, Realtime), every unit non-zero and distinct,
/// so a count read into the wrong field or from the wrong path shows.
/// </summary>
public class OpenAIUsageGoldenTests
{
    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    // Chat Completions with audio in and out (gpt-4o-audio-preview), cache reads and writes, image input and reasoning.
    private const string ChatUsage = """
        {"prompt_tokens":5000,"completion_tokens":900,"total_tokens":5900,
         "prompt_tokens_details":{"cached_tokens":1200,"cache_write_tokens":800,"audio_tokens":400,"image_tokens":350,"text_tokens":3250},
         "completion_tokens_details":{"reasoning_tokens":320,"audio_tokens":210,"accepted_prediction_tokens":11,"rejected_prediction_tokens":13}}
        """;

    private static readonly TokenUsage ChatExpected = new()
    {
        InputTokens = 5000,
        CachedInputTokens = 1200,
        CacheWriteTokens = 800,
        InputAudioTokens = 400,
        InputImageTokens = 350,
        OutputTokens = 900,
        ReasoningTokens = 320,
        OutputAudioTokens = 210,
    };

    [Fact]
    public void Chat_completions_usage_reads_every_detail_inside_its_total()
    {
        OpenAIUsage.Parse(Utf8(ChatUsage)).Should().Be(ChatExpected);
    }

    [Fact]
    public void Chat_completions_audio_only_usage_keeps_audio_in_and_out()
    {
        var usage = OpenAIUsage.Parse(Utf8("""
            {"prompt_tokens":73,"completion_tokens":270,"total_tokens":343,
             "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":61},
             "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":211,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 73, InputAudioTokens = 61, OutputTokens = 270, OutputAudioTokens = 211 });
    }

    [Fact]
    public void Responses_usage_reads_cache_writes_and_image_tokens_from_its_details()
    {
        var usage = OpenAIUsage.Parse(Utf8("""
            {"input_tokens":2400,"input_tokens_details":{"cached_tokens":1024,"cache_write_tokens":256,"image_tokens":765,"text_tokens":355},
             "output_tokens":1300,"output_tokens_details":{"reasoning_tokens":600,"image_tokens":272},"total_tokens":3700}
            """));

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 2400,
            CachedInputTokens = 1024,
            CacheWriteTokens = 256,
            InputImageTokens = 765,
            OutputTokens = 1300,
            ReasoningTokens = 600,
            OutputImageTokens = 272,
        });
    }

    [Fact]
    public void Images_api_usage_counts_image_input_and_image_output()
    {
        // gpt-image-1: POST /v1/images/edits, as documented.
        var usage = OpenAIUsage.Parse(Utf8("""
            {"total_tokens":4250,"input_tokens":90,"output_tokens":4160,
             "input_tokens_details":{"text_tokens":17,"image_tokens":73},
             "output_tokens_details":{"text_tokens":0,"image_tokens":4160}}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 90, InputImageTokens = 73, OutputTokens = 4160, OutputImageTokens = 4160 });
    }

    [Fact]
    public void Realtime_usage_counts_cached_audio_as_both_cached_and_audio_input()
    {
        // response.done's usage: input_token_details (singular) with cached_tokens_details by modality.
        var usage = OpenAIUsage.Parse(Utf8("""
            {"total_tokens":1850,"input_tokens":1500,"output_tokens":350,
             "input_token_details":{"text_tokens":600,"audio_tokens":700,"image_tokens":200,"cached_tokens":640,
               "cached_tokens_details":{"text_tokens":320,"audio_tokens":256,"image_tokens":64}},
             "output_token_details":{"text_tokens":90,"audio_tokens":260}}
            """));

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 1500,
            CachedInputTokens = 640,
            InputAudioTokens = 700,
            CachedAudioInputTokens = 256,
            InputImageTokens = 200,
            CachedImageInputTokens = 64,
            OutputTokens = 350,
            OutputAudioTokens = 260,
        });
    }

    [Fact]
    public void Video_tokens_of_compatible_servers_are_read_from_the_same_details()
    {
        var usage = OpenAIUsage.Parse(Utf8("""
            {"prompt_tokens":3000,"completion_tokens":40,"total_tokens":3040,
             "prompt_tokens_details":{"video_tokens":2100,"text_tokens":900,"cached_tokens":1500,"cached_tokens_details":{"video_tokens":1400}},
             "completion_tokens_details":{"video_tokens":7}}
            """));

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 3000,
            CachedInputTokens = 1500,
            InputVideoTokens = 2100,
            CachedVideoInputTokens = 1400,
            OutputTokens = 40,
            OutputVideoTokens = 7,
        });
    }

    [Fact]
    public void Null_details_read_as_absent()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":10,"completion_tokens":4,"prompt_tokens_details":null,"completion_tokens_details":null}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 10, OutputTokens = 4 });
    }

    [Fact]
    public void A_usage_with_only_output_or_only_input_is_read()
    {
        OpenAIUsage.Parse(Utf8("""{"completion_tokens":4}""")).Should().Be(new TokenUsage { OutputTokens = 4 });
        OpenAIUsage.Parse(Utf8("""{"input_tokens":9}""")).Should().Be(new TokenUsage { InputTokens = 9 });
    }

    [Fact]
    public void The_final_chunk_of_a_chat_stream_gives_the_usage_of_the_buffered_completion()
    {
        var wire = new OpenAIWireUsage(5000, 900, CachedTokens: 1200, PromptAudioTokens: 400, ReasoningTokens: 320, CompletionAudioTokens: 210);
        var buffered = UsageOf(OpenAIWire.ChatCompletion("gpt-4o", "Hello", wire));
        var streamed = LastStreamUsage(OpenAIWire.ChatCompletionStream("gpt-4o", ["Hel", "lo"], wire));

        streamed.Should().Be(buffered);
        buffered.Should().Be(new TokenUsage
        {
            InputTokens = 5000,
            CachedInputTokens = 1200,
            InputAudioTokens = 400,
            OutputTokens = 900,
            ReasoningTokens = 320,
            OutputAudioTokens = 210,
        });
    }

    [Fact]
    public void The_completed_event_of_a_responses_stream_gives_the_usage_of_the_buffered_response()
    {
        var wire = new OpenAIWireUsage(2400, 1300, CachedTokens: 1024, ReasoningTokens: 600);
        var buffered = UsageOf(OpenAIWire.Response("gpt-4o", "Hello", wire));
        var streamed = LastStreamUsage(OpenAIWire.ResponseStream("gpt-4o", ["Hel", "lo"], wire));

        streamed.Should().Be(buffered);
        buffered.Should().Be(new TokenUsage { InputTokens = 2400, CachedInputTokens = 1024, OutputTokens = 1300, ReasoningTokens = 600 });
    }

    [Theory]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":""", "OpenAI usage is not valid JSON*")]
    [InlineData("""[1,2]""", "OpenAI usage must be a JSON object, but was Array.")]
    [InlineData("""{"total_tokens":13}""", "OpenAI usage has neither prompt_tokens/input_tokens nor completion_tokens/output_tokens.")]
    [InlineData("""{"prompt_tokens":-5,"completion_tokens":3}""", "Usage field 'prompt_tokens' is negative (-5); token counts must be zero or more.")]
    [InlineData("""{"prompt_tokens":"ten","completion_tokens":3}""", "Usage field 'prompt_tokens' must be a whole number, but was \"ten\".")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":7}""", "Usage field 'prompt_tokens_details' must be a JSON object, but was 7.")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cache_write_tokens":-1}}""", "Usage field 'cache_write_tokens' is negative (-1)*")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"image_tokens":1.5}}""", "Usage field 'image_tokens' must be a whole number, but was 1.5.")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"audio_tokens":11}}""", "Usage is inconsistent: cache reads (0) and uncached audio, image and video input (11) add up to more than the 10 input tokens.")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":6,"cache_write_tokens":5}}""", "Usage is inconsistent: cache reads (6) and cache writes (5) add up to more than the 10 input tokens.")]
    [InlineData("""{"input_tokens":10,"output_tokens":3,"input_token_details":{"audio_tokens":2,"cached_tokens":5,"cached_tokens_details":{"audio_tokens":3}}}""", "Usage is inconsistent: CachedAudioInputTokens (3) is more than InputAudioTokens (2), which contains it.")]
    [InlineData("""{"input_tokens":10,"output_tokens":3,"output_tokens_details":{"image_tokens":4}}""", "Usage is inconsistent: reasoning (0), audio (0), image (4), video (0) and citation (0) output tokens add up to more than the 3 output tokens.")]
    [InlineData("""{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"completion_tokens_details":{"reasoning_tokens":6}}""", "*reasoning (6)*more than the 5 output tokens.")]
    public void Malformed_or_inconsistent_usage_is_rejected_with_a_message_that_says_why(string json, string message)
    {
        var act = () => OpenAIUsage.Parse(Utf8(json));
        act.Should().Throw<InvalidUsageException>().WithMessage(message);
    }

    [Fact]
    public void An_unknown_convention_is_an_argument_error()
    {
        var act = () => OpenAIUsage.Parse(Utf8("""{"prompt_tokens":1}"""), (OpenAICompatibleConvention)42);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Unknown OpenAI-compatible convention.*")
            .Which.ParamName.Should().Be("convention");
    }

    /// <summary>The usage object of a whole body (a completion, or a response).</summary>
    internal static TokenUsage UsageOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return OpenAIUsage.Parse(document.RootElement.GetProperty("usage"));
    }

    /// <summary>The usage of the last stream event that has one (usage at the top, or in its response).</summary>
    internal static TokenUsage LastStreamUsage(string sse)
    {
        TokenUsage? last = null;
        var events = 0;
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            using var document = JsonDocument.Parse(line["data: ".Length..]);
            var root = document.RootElement;
            if (root.TryGetProperty("response", out var response))
            {
                root = response;
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                last = OpenAIUsage.Parse(usage);
                events++;
            }
        }

        events.Should().Be(1, "a stream reports its usage once, at the end");
        return last!.Value;
    }

    [Fact]
    public void Cache_writes_that_are_image_tokens_are_not_counted_twice()
    {
        // gpt-image-1 style: 1,000 input tokens, 800 of them image tokens, 900 of them written to the cache.
        var usage = OpenAIUsage.Parse("""{"input_tokens":1000,"output_tokens":10,"input_tokens_details":{"image_tokens":800,"text_tokens":200,"cache_write_tokens":900}}"""u8);
        usage.InputImageTokens.Should().Be(800);
        usage.CacheWriteTokens.Should().Be(900);
    }

    [Theory]
    [InlineData("""{"prompt_tokens":100,"input_tokens":99,"completion_tokens":50,"output_tokens":49,"cached_prompt_text_tokens":64,"cached_tokens":32}""", 100, 64, 50, 0)]
    [InlineData("""{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":10},"input_tokens_details":{"cached_tokens":20},"input_token_details":{"cached_tokens":30},"completion_tokens_details":{"reasoning_tokens":5},"output_tokens_details":{"reasoning_tokens":6},"output_token_details":{"reasoning_tokens":7}}""", 100, 10, 50, 5)]
    [InlineData("""{"input_tokens":100,"output_tokens":50,"input_tokens_details":{"cached_tokens":20},"input_token_details":{"cached_tokens":30},"output_tokens_details":{"reasoning_tokens":6},"output_token_details":{"reasoning_tokens":7}}""", 100, 20, 50, 6)]
    public void When_a_server_sends_several_names_for_a_count_the_chat_completions_name_wins_then_the_responses_name(
        string json, long input, long cached, long output, long reasoning)
    {
        OpenAIUsage.Parse(Utf8(json)).Should().Be(new TokenUsage { InputTokens = input, CachedInputTokens = cached, OutputTokens = output, ReasoningTokens = reasoning });
    }
}
