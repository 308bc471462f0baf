using System.Text;
using AiOrchestrator;
using Microsoft.Extensions.AI;

namespace DocSnippets;

public static class UsageSnippets
{
    public static void Normalise(UsageDetails details)
    {
        #region usage-normalise
        // From M.E.AI (what every IChatClient reports):
        TokenUsage fromClient = details.ToTokenUsage();

        // From raw provider JSON (an HTTP pipeline, a log, a webhook):
        TokenUsage openAI = OpenAIUsage.Parse("""{"prompt_tokens":2006,"completion_tokens":300,"prompt_tokens_details":{"cached_tokens":1920}}"""u8);
        TokenUsage anthropic = AnthropicUsage.Parse("""{"input_tokens":50,"cache_read_input_tokens":10000,"cache_creation_input_tokens":3000,"output_tokens":400}"""u8);
        TokenUsage gemini = GeminiUsage.Parse(Encoding.UTF8.GetBytes("""{"promptTokenCount":1200,"candidatesTokenCount":300,"thoughtsTokenCount":700}"""));

        // anthropic.InputTokens == 13_050: cache reads and writes are added back, as OpenAI counts them.
        #endregion
        _ = (fromClient, openAI, anthropic, gemini);
    }
}
