using System.Text;

namespace AiOrchestrator.Tests.Usage;

/// <summary>
/// OpenAI-compatible servers that count differently from OpenAI (xAI, DeepSeek, Perplexity), from their documented
/// usage shapes, read with their convention named and with the convention decided from the usage.
/// </summary>
public class CompatibleUsageGoldenTests
{
    // xAI's documented chat completion usage: total_tokens = prompt + completion + reasoning.
    private const string XaiUsage = """
        {"prompt_tokens":37,"completion_tokens":530,"total_tokens":1861,
         "prompt_tokens_details":{"text_tokens":37,"audio_tokens":0,"image_tokens":0,"cached_tokens":8},
         "completion_tokens_details":{"reasoning_tokens":1294,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},
         "num_sources_used":0}
        """;

    private static readonly TokenUsage XaiExpected = new() { InputTokens = 37, CachedInputTokens = 8, OutputTokens = 1824, ReasoningTokens = 1294 };

    // DeepSeek's documented usage (deepseek-reasoner): cache hit + miss = prompt; reasoning inside completion.
    private const string DeepSeekUsage = """
        {"prompt_tokens":1000,"completion_tokens":420,"total_tokens":1420,
         "prompt_tokens_details":{"cached_tokens":640},"prompt_cache_hit_tokens":640,"prompt_cache_miss_tokens":360,
         "completion_tokens_details":{"reasoning_tokens":300}}
        """;

    private static readonly TokenUsage DeepSeekExpected = new() { InputTokens = 1000, CachedInputTokens = 640, OutputTokens = 420, ReasoningTokens = 300 };

    // Perplexity's documented usage (sonar-deep-research): reasoning and citation tokens apart from completion tokens.
    private const string PerplexityUsage = """
        {"prompt_tokens":19,"completion_tokens":6470,"total_tokens":6489,"citation_tokens":13590,"num_search_queries":27,
         "reasoning_tokens":80720,"search_context_size":"low",
         "cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.052,"citation_tokens_cost":0.027,"reasoning_tokens_cost":0.242,"search_queries_cost":0.135,"total_cost":0.456}}
        """;

    private static readonly TokenUsage PerplexityExpected = new()
    {
        InputTokens = 19,
        OutputTokens = 6470 + 13590 + 80720,
        ReasoningTokens = 80720,
        CitationTokens = 13590,
        WebSearches = 27,
    };

    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    [Theory]
    [InlineData(OpenAICompatibleConvention.Auto)]
    [InlineData(OpenAICompatibleConvention.XAI)]
    public void XAI_reasoning_is_added_to_the_output(OpenAICompatibleConvention convention)
    {
        OpenAIUsage.Parse(Utf8(XaiUsage), convention).Should().Be(XaiExpected);
    }

    [Fact]
    public void XAI_reasoning_without_a_total_is_added_to_the_output_when_the_convention_is_named()
    {
        var json = """{"prompt_tokens":37,"completion_tokens":530,"completion_tokens_details":{"reasoning_tokens":100}}""";

        OpenAIUsage.Parse(Utf8(json), OpenAICompatibleConvention.XAI).Should().Be(new TokenUsage { InputTokens = 37, OutputTokens = 630, ReasoningTokens = 100 });
        OpenAIUsage.Parse(Utf8(json)).Should().Be(new TokenUsage { InputTokens = 37, OutputTokens = 530, ReasoningTokens = 100 }, "nothing shows the reasoning is apart");
    }

    [Fact]
    public void Reasoning_larger_than_the_completion_without_a_total_can_only_be_apart()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":37,"completion_tokens":30,"completion_tokens_details":{"reasoning_tokens":100}}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 37, OutputTokens = 130, ReasoningTokens = 100 });
    }

    [Fact]
    public void XAI_legacy_top_level_reasoning_and_cached_prompt_text_tokens_are_read()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":90,"completion_tokens":20,"reasoning_tokens":50,"cached_prompt_text_tokens":64}"""), OpenAICompatibleConvention.XAI);
        usage.Should().Be(new TokenUsage { InputTokens = 90, CachedInputTokens = 64, OutputTokens = 70, ReasoningTokens = 50 });
    }

    [Fact]
    public void Naming_the_OpenAI_convention_keeps_reasoning_inside_the_completion_whatever_the_total_says()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":40,"completion_tokens":530,"total_tokens":670,"completion_tokens_details":{"reasoning_tokens":100}}"""), OpenAICompatibleConvention.OpenAI);
        usage.Should().Be(new TokenUsage { InputTokens = 40, OutputTokens = 530, ReasoningTokens = 100 });
    }

    [Fact]
    public void A_top_level_reasoning_count_is_part_of_the_output_under_OpenAI_s_convention()
    {
        // Modal's chat usage reports reasoning at the top level, inside completion_tokens.
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":12,"completion_tokens":80,"total_tokens":92,"reasoning_tokens":55}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 12, OutputTokens = 80, ReasoningTokens = 55 });
    }

    [Theory]
    [InlineData(OpenAICompatibleConvention.Auto)]
    [InlineData(OpenAICompatibleConvention.DeepSeek)]
    [InlineData(OpenAICompatibleConvention.OpenAI)]
    public void DeepSeek_cache_hits_are_the_cached_input(OpenAICompatibleConvention convention)
    {
        OpenAIUsage.Parse(Utf8(DeepSeekUsage), convention).Should().Be(DeepSeekExpected);
    }

    [Fact]
    public void DeepSeek_hit_and_miss_counts_alone_make_the_input()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"completion_tokens":5,"prompt_cache_hit_tokens":70,"prompt_cache_miss_tokens":30}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 100, CachedInputTokens = 70, OutputTokens = 5 });
    }

    [Fact]
    public void DeepSeek_convention_prefers_its_hit_count_to_the_details()
    {
        var json = """{"prompt_tokens":100,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":64},"prompt_cache_hit_tokens":70,"prompt_cache_miss_tokens":30}""";

        OpenAIUsage.Parse(Utf8(json), OpenAICompatibleConvention.DeepSeek).CachedInputTokens.Should().Be(70);
        OpenAIUsage.Parse(Utf8(json)).CachedInputTokens.Should().Be(64);
    }

    [Fact]
    public void DeepSeek_hit_and_miss_that_do_not_make_the_prompt_are_rejected()
    {
        var act = () => OpenAIUsage.Parse(Utf8("""{"prompt_tokens":1000,"completion_tokens":5,"prompt_cache_hit_tokens":640,"prompt_cache_miss_tokens":300}"""));
        act.Should().Throw<InvalidUsageException>().WithMessage(
            "OpenAI usage is inconsistent: prompt_cache_hit_tokens (640) + prompt_cache_miss_tokens (300) is not prompt_tokens (1000).");
    }

    [Theory]
    [InlineData(OpenAICompatibleConvention.Auto)]
    [InlineData(OpenAICompatibleConvention.Perplexity)]
    public void Perplexity_reasoning_and_citations_are_output_and_search_queries_are_web_searches(OpenAICompatibleConvention convention)
    {
        OpenAIUsage.Parse(Utf8(PerplexityUsage), convention).Should().Be(PerplexityExpected);
    }

    [Fact]
    public void Perplexity_sonar_usage_with_search_queries_only_counts_the_searches()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":8,"completion_tokens":160,"total_tokens":168,"num_search_queries":1,"search_context_size":"low"}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 8, OutputTokens = 160, WebSearches = 1 });
    }

    [Fact]
    public void Perplexity_citations_without_searches_still_decide_the_convention()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":8,"completion_tokens":160,"citation_tokens":40,"reasoning_tokens":9}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 8, OutputTokens = 209, ReasoningTokens = 9, CitationTokens = 40 });
    }

    [Theory]
    [InlineData("xai", OpenAICompatibleConvention.XAI)]
    [InlineData("x-ai", OpenAICompatibleConvention.XAI)]
    [InlineData(" X.AI ", OpenAICompatibleConvention.XAI)]
    [InlineData("grok", OpenAICompatibleConvention.XAI)]
    [InlineData("DeepSeek", OpenAICompatibleConvention.DeepSeek)]
    [InlineData("perplexity", OpenAICompatibleConvention.Perplexity)]
    [InlineData("openai", OpenAICompatibleConvention.OpenAI)]
    [InlineData("azure.ai.openai", OpenAICompatibleConvention.OpenAI)]
    [InlineData("openai-compatible", OpenAICompatibleConvention.Auto)]
    [InlineData("mistral", OpenAICompatibleConvention.Auto)]
    [InlineData(null, OpenAICompatibleConvention.Auto)]
    public void The_convention_of_a_provider_is_found_by_its_name(string? provider, OpenAICompatibleConvention expected)
    {
        OpenAIUsage.ConventionOf(provider).Should().Be(expected);
    }

    [Fact]
    public void Reasoning_equal_to_the_completion_without_a_total_stays_inside_it()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":37,"completion_tokens":100,"completion_tokens_details":{"reasoning_tokens":100}}"""));
        usage.Should().Be(new TokenUsage { InputTokens = 37, OutputTokens = 100, ReasoningTokens = 100 });
    }

    [Fact]
    public void DeepSeek_hit_and_miss_that_do_not_make_the_responses_input_tokens_are_rejected()
    {
        var act = () => OpenAIUsage.Parse(Utf8("""{"input_tokens":1000,"output_tokens":5,"prompt_cache_hit_tokens":640,"prompt_cache_miss_tokens":300}"""));
        act.Should().Throw<InvalidUsageException>().WithMessage(
            "OpenAI usage is inconsistent: prompt_cache_hit_tokens (640) + prompt_cache_miss_tokens (300) is not prompt_tokens (1000).");
    }

    [Theory]
    [InlineData(OpenAICompatibleConvention.Auto)]
    [InlineData(OpenAICompatibleConvention.DeepSeek)]
    public void A_cache_hit_count_without_its_miss_count_is_the_cached_input(OpenAICompatibleConvention convention)
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":1000,"completion_tokens":5,"prompt_cache_hit_tokens":640}"""), convention);
        usage.Should().Be(new TokenUsage { InputTokens = 1000, CachedInputTokens = 640, OutputTokens = 5 });
    }

    [Fact]
    public void DeepSeek_convention_without_hit_counts_reads_the_cached_tokens_of_the_details()
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":1000,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":512}}"""), OpenAICompatibleConvention.DeepSeek);
        usage.Should().Be(new TokenUsage { InputTokens = 1000, CachedInputTokens = 512, OutputTokens = 5 });
    }

    [Theory]
    [InlineData(OpenAICompatibleConvention.OpenAI)]
    [InlineData(OpenAICompatibleConvention.XAI)]
    [InlineData(OpenAICompatibleConvention.DeepSeek)]
    public void Citation_tokens_count_only_under_Perplexity_s_convention(OpenAICompatibleConvention convention)
    {
        var usage = OpenAIUsage.Parse(Utf8("""{"prompt_tokens":8,"completion_tokens":160,"citation_tokens":40}"""), convention);
        usage.Should().Be(new TokenUsage { InputTokens = 8, OutputTokens = 160 });
    }
}
