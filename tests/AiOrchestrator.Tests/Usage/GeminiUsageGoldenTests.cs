using System.Text;

namespace AiOrchestrator.Tests.Usage;

/// <summary>
/// Gemini's documented usageMetadata: modality details of the prompt, the cache, the tool-use prompt and the
/// candidates; thoughts and tool-use prompt tokens outside the prompt and candidate counts.
/// </summary>
public class GeminiUsageGoldenTests
{
    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Every_modality_of_prompt_cache_tool_prompt_and_candidates_is_counted()
    {
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":20000,"candidatesTokenCount":1500,"cachedContentTokenCount":12000,
             "toolUsePromptTokenCount":900,"thoughtsTokenCount":2600,"totalTokenCount":25000,
             "promptTokensDetails":[{"modality":"TEXT","tokenCount":4000},{"modality":"AUDIO","tokenCount":6000},
               {"modality":"IMAGE","tokenCount":2500},{"modality":"DOCUMENT","tokenCount":1500},{"modality":"VIDEO","tokenCount":6000}],
             "cacheTokensDetails":[{"modality":"TEXT","tokenCount":1000},{"modality":"AUDIO","tokenCount":5000},
               {"modality":"IMAGE","tokenCount":700},{"modality":"DOCUMENT","tokenCount":300},{"modality":"VIDEO","tokenCount":5000}],
             "toolUsePromptTokensDetails":[{"modality":"TEXT","tokenCount":600},{"modality":"AUDIO","tokenCount":110},
               {"modality":"IMAGE","tokenCount":90},{"modality":"DOCUMENT","tokenCount":40},{"modality":"VIDEO","tokenCount":60}],
             "candidatesTokensDetails":[{"modality":"TEXT","tokenCount":800},{"modality":"AUDIO","tokenCount":400},
               {"modality":"IMAGE","tokenCount":250},{"modality":"VIDEO","tokenCount":50}]}
            """));

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 20900,
            CachedInputTokens = 12000,
            InputAudioTokens = 6110,
            CachedAudioInputTokens = 5000,
            InputImageTokens = 4130,
            CachedImageInputTokens = 1000,
            InputVideoTokens = 6060,
            CachedVideoInputTokens = 5000,
            OutputTokens = 4100,
            ReasoningTokens = 2600,
            OutputAudioTokens = 400,
            OutputImageTokens = 250,
            OutputVideoTokens = 50,
        });
    }

    [Fact]
    public void Cached_audio_is_part_of_both_the_cache_reads_and_the_audio_input()
    {
        // An audio file in a context cache, asked about in text: the prompt details include the cached audio.
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":9650,"candidatesTokenCount":120,"cachedContentTokenCount":9600,"totalTokenCount":9770,
             "promptTokensDetails":[{"modality":"TEXT","tokenCount":50},{"modality":"AUDIO","tokenCount":9600}],
             "cacheTokensDetails":[{"modality":"AUDIO","tokenCount":9600}],
             "candidatesTokensDetails":[{"modality":"TEXT","tokenCount":120}]}
            """));

        usage.Should().Be(new TokenUsage
        {
            InputTokens = 9650,
            CachedInputTokens = 9600,
            InputAudioTokens = 9600,
            CachedAudioInputTokens = 9600,
            OutputTokens = 120,
        });
        (usage.InputTokens - usage.CachedInputTokens).Should().Be(50, "only the question is uncached");
    }

    [Fact]
    public void Image_generation_counts_image_output()
    {
        // gemini-2.5-flash-image: one generated image is 1290 output tokens.
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":14,"candidatesTokenCount":1290,"totalTokenCount":1304,
             "promptTokensDetails":[{"modality":"TEXT","tokenCount":14}],
             "candidatesTokensDetails":[{"modality":"IMAGE","tokenCount":1290}]}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 14, OutputTokens = 1290, OutputImageTokens = 1290 });
    }

    [Fact]
    public void Live_api_names_the_output_the_response()
    {
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":700,"responseTokenCount":360,"totalTokenCount":1060,
             "promptTokensDetails":[{"modality":"AUDIO","tokenCount":650},{"modality":"TEXT","tokenCount":50}],
             "responseTokensDetails":[{"modality":"AUDIO","tokenCount":330},{"modality":"TEXT","tokenCount":30}]}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 700, InputAudioTokens = 650, OutputTokens = 360, OutputAudioTokens = 330 });
    }

    [Fact]
    public void Omitted_and_repeated_modality_counts_are_zero_and_summed()
    {
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":100,"candidatesTokenCount":10,
             "promptTokensDetails":[{"modality":"AUDIO"},{"modality":"IMAGE","tokenCount":20},{"modality":"IMAGE","tokenCount":5},{"tokenCount":75},{"modality":"MODALITY_UNSPECIFIED","tokenCount":0}]}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 100, InputImageTokens = 25, OutputTokens = 10 });
    }

    [Fact]
    public void Thinking_and_tool_use_prompt_tokens_are_added_to_output_and_input()
    {
        var usage = GeminiUsage.Parse(Utf8("""{"promptTokenCount":1200,"candidatesTokenCount":300,"thoughtsTokenCount":700,"toolUsePromptTokenCount":450}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 1650, OutputTokens = 1000, ReasoningTokens = 700 });
    }

    [Fact]
    public void Only_a_prompt_count_is_enough()
    {
        GeminiUsage.Parse(Utf8("""{"promptTokenCount":12,"totalTokenCount":12}""")).Should().Be(new TokenUsage { InputTokens = 12 });
    }

    [Theory]
    [InlineData("""{"promptTokenCount":""", "Gemini usageMetadata is not valid JSON*")]
    [InlineData("""7""", "Gemini usageMetadata must be a JSON object, but was Number.")]
    [InlineData("""{"totalTokenCount":12}""", "Gemini usageMetadata has neither promptTokenCount nor candidatesTokenCount.")]
    [InlineData("""{"promptTokenCount":10,"promptTokensDetails":{"modality":"AUDIO"}}""", "Usage field 'promptTokensDetails' must be a JSON array of modality counts, but was {\"modality\":\"AUDIO\"}.")]
    [InlineData("""{"promptTokenCount":10,"cacheTokensDetails":[3]}""", "Each entry of usage field 'cacheTokensDetails' must be a JSON object, but one was 3.")]
    [InlineData("""{"promptTokenCount":10,"promptTokensDetails":[{"modality":"AUDIO","tokenCount":-4}]}""", "Usage field 'tokenCount' is negative (-4); token counts must be zero or more.")]
    [InlineData("""{"promptTokenCount":10,"thoughtsTokenCount":"many"}""", "Usage field 'thoughtsTokenCount' must be a whole number, but was \"many\".")]
    [InlineData("""{"promptTokenCount":100,"cachedContentTokenCount":80,"promptTokensDetails":[{"modality":"AUDIO","tokenCount":30}],"cacheTokensDetails":[{"modality":"AUDIO","tokenCount":60}]}""", "Usage is inconsistent: CachedAudioInputTokens (60) is more than InputAudioTokens (30), which contains it.")]
    [InlineData("""{"promptTokenCount":100,"cachedContentTokenCount":10,"cacheTokensDetails":[{"modality":"VIDEO","tokenCount":10},{"modality":"IMAGE","tokenCount":5}],"promptTokensDetails":[{"modality":"VIDEO","tokenCount":10},{"modality":"IMAGE","tokenCount":5}]}""", "Usage is inconsistent: cached audio, image and video input tokens (15) is more than CachedInputTokens (10), which contains it.")]
    [InlineData("""{"promptTokenCount":10,"candidatesTokenCount":5,"candidatesTokensDetails":[{"modality":"IMAGE","tokenCount":6}]}""", "*image (6)*more than the 5 output tokens.")]
    public void Malformed_or_inconsistent_usage_is_rejected_with_a_message_that_says_why(string json, string message)
    {
        var act = () => GeminiUsage.Parse(Utf8(json));
        act.Should().Throw<InvalidUsageException>().WithMessage(message);
    }

    [Fact]
    public void The_candidates_count_wins_over_the_live_api_response_count()
    {
        GeminiUsage.Parse(Utf8("""{"promptTokenCount":10,"candidatesTokenCount":20,"responseTokenCount":30}"""))
            .Should().Be(new TokenUsage { InputTokens = 10, OutputTokens = 20 });
    }

    [Fact]
    public void A_modality_that_is_not_a_name_is_counted_as_text_and_a_null_list_as_none()
    {
        var usage = GeminiUsage.Parse(Utf8("""
            {"promptTokenCount":10,"candidatesTokenCount":4,"promptTokensDetails":[{"modality":3,"tokenCount":7},{"modality":"AUDIO","tokenCount":2}],
             "candidatesTokensDetails":null}
            """));

        usage.Should().Be(new TokenUsage { InputTokens = 10, InputAudioTokens = 2, OutputTokens = 4 });
    }
}
