using System.Text;
using AiOrchestrator;
using Microsoft.Extensions.AI;

namespace DocSnippets;

public static class UsageSnippets
{
    public static void Normalise(UsageDetails details, ChatResponse response)
    {
        #region usage-normalise
        // From M.E.AI (what every IChatClient reports); the raw response adds what the adapters drop
        // (Anthropic's one-hour cache writes, OpenAI's cache writes and image tokens, Gemini's modalities):
        TokenUsage fromClient = details.ToTokenUsage();
        TokenUsage fromResponse = response.Usage!.ToTokenUsage(response.RawRepresentation);

        // From raw provider JSON (an HTTP pipeline, a log, a webhook):
        TokenUsage openAI = OpenAIUsage.Parse("""{"prompt_tokens":2006,"completion_tokens":300,"prompt_tokens_details":{"cached_tokens":1920}}"""u8);
        TokenUsage anthropic = AnthropicUsage.Parse("""{"input_tokens":50,"cache_read_input_tokens":10000,"cache_creation_input_tokens":3000,"output_tokens":400}"""u8);
        TokenUsage gemini = GeminiUsage.Parse(Encoding.UTF8.GetBytes("""{"promptTokenCount":1200,"candidatesTokenCount":300,"thoughtsTokenCount":700}"""));
        TokenUsage bedrock = BedrockUsage.Parse("""{"inputTokens":150,"outputTokens":620,"cacheReadInputTokens":6000}"""u8);
        TokenUsage cohere = CohereUsage.Parse("""{"billed_units":{"input_tokens":1830,"output_tokens":412},"cached_tokens":1024}"""u8);

        // anthropic.InputTokens == 13_050: cache reads and writes are added back, as OpenAI counts them.
        #endregion
        _ = (fromClient, fromResponse, openAI, anthropic, gemini, bedrock, cohere);
    }

    public static void Conventions()
    {
        #region usage-conventions
        // xAI counts reasoning apart from completion_tokens; the total shows it, so Auto (the default) adds it back:
        TokenUsage grok = OpenAIUsage.Parse("""{"prompt_tokens":37,"completion_tokens":530,"total_tokens":1861,"completion_tokens_details":{"reasoning_tokens":1294}}"""u8);
        // grok.OutputTokens == 1824, grok.ReasoningTokens == 1294

        // Name the convention when the usage cannot show it (no total_tokens), or from the provider's name:
        TokenUsage named = OpenAIUsage.Parse("""{"prompt_tokens":37,"completion_tokens":530,"completion_tokens_details":{"reasoning_tokens":100}}"""u8,
            OpenAIUsage.ConventionOf("xai"));
        // named.OutputTokens == 630

        // Perplexity: citations and reasoning are output, search queries are billed web searches.
        TokenUsage sonar = OpenAIUsage.Parse("""{"prompt_tokens":19,"completion_tokens":6470,"citation_tokens":13590,"num_search_queries":27,"reasoning_tokens":80720}"""u8,
            OpenAICompatibleConvention.Perplexity);
        // sonar.OutputTokens == 100_780, sonar.CitationTokens == 13_590, sonar.WebSearches == 27
        #endregion
        _ = (grok, named, sonar);
    }
}
