using AiOrchestrator.Tokens;

namespace AiOrchestrator.Tests.Tokens;

public class TokenizerFamiliesTests
{
    [Theory]
    [InlineData("gpt-4o", TokenizerFamily.O200k)]
    [InlineData("gpt-4o-mini-2024-07-18", TokenizerFamily.O200k)]
    [InlineData("chatgpt-4o-latest", TokenizerFamily.O200k)]
    [InlineData("gpt-4.1-nano", TokenizerFamily.O200k)]
    [InlineData("gpt-4.5-preview", TokenizerFamily.O200k)]
    [InlineData("gpt-5", TokenizerFamily.O200k)]
    [InlineData("gpt-5.1-codex", TokenizerFamily.O200k)]
    [InlineData("gpt-5-mini", TokenizerFamily.O200k)]
    [InlineData("o1", TokenizerFamily.O200k)]
    [InlineData("o1-preview", TokenizerFamily.O200k)]
    [InlineData("o3-mini", TokenizerFamily.O200k)]
    [InlineData("o4-mini-deep-research", TokenizerFamily.O200k)]
    [InlineData("gpt-oss-120b", TokenizerFamily.O200k)]
    [InlineData("openai/gpt-4o", TokenizerFamily.O200k)]
    [InlineData("ft:gpt-4o-mini-2024-07-18:acme::abc123", TokenizerFamily.O200k)]
    [InlineData("GPT-4O", TokenizerFamily.O200k)]
    [InlineData("gpt-4", TokenizerFamily.Cl100k)]
    [InlineData("gpt-4-turbo-2024-04-09", TokenizerFamily.Cl100k)]
    [InlineData("gpt-4-32k", TokenizerFamily.Cl100k)]
    [InlineData("gpt-3.5-turbo", TokenizerFamily.Cl100k)]
    [InlineData("gpt-35-turbo", TokenizerFamily.Cl100k)]
    [InlineData("text-embedding-3-small", TokenizerFamily.Cl100k)]
    [InlineData("text-embedding-ada-002", TokenizerFamily.Cl100k)]
    [InlineData("claude-sonnet-4-5-20250929", TokenizerFamily.Claude)]
    [InlineData("claude-3-5-haiku-latest", TokenizerFamily.Claude)]
    [InlineData("anthropic/claude-opus-4.1", TokenizerFamily.Claude)]
    [InlineData("us.anthropic.claude-3-7-sonnet-20250219-v1:0", TokenizerFamily.Claude)]
    [InlineData("gemini-2.5-pro", TokenizerFamily.Gemini)]
    [InlineData("models/gemini-2.0-flash-001", TokenizerFamily.Gemini)]
    [InlineData("gemma-3-27b-it", TokenizerFamily.Gemini)]
    [InlineData("meta-llama/Llama-3.3-70B-Instruct", TokenizerFamily.Llama)]
    [InlineData("accounts/fireworks/models/llama-v3p1-405b-instruct", TokenizerFamily.Llama)]
    [InlineData("mistral-large-latest", TokenizerFamily.Mistral)]
    [InlineData("open-mixtral-8x22b", TokenizerFamily.Mistral)]
    [InlineData("codestral-2501", TokenizerFamily.Mistral)]
    [InlineData("deepseek-chat", TokenizerFamily.DeepSeek)]
    [InlineData("deepseek-ai/DeepSeek-R1", TokenizerFamily.DeepSeek)]
    [InlineData("qwen-max", TokenizerFamily.Qwen)]
    [InlineData("Qwen/Qwen2.5-Coder-32B-Instruct", TokenizerFamily.Qwen)]
    [InlineData("qwq-32b", TokenizerFamily.Qwen)]
    [InlineData("my-azure-deployment", TokenizerFamily.Unknown)]
    [InlineData("o100-model", TokenizerFamily.Unknown)]
    [InlineData("", TokenizerFamily.Unknown)]
    [InlineData("   ", TokenizerFamily.Unknown)]
    [InlineData(null, TokenizerFamily.Unknown)]
    public void Recognises_the_family_of_real_model_ids(string? modelId, TokenizerFamily expected)
    {
        TokenizerFamilies.ForModel(modelId).Should().Be(expected);
        TokenizerFamilies.ForModel(modelId).Should().Be(expected, "the cached answer must match the first one");
    }

    [Fact]
    public void Families_without_an_offline_tokenizer_count_high_and_openai_families_count_as_is()
    {
        TokenizerFamilies.SafetyFactorOf(TokenizerFamily.O200k).Should().Be(1.0);
        TokenizerFamilies.SafetyFactorOf(TokenizerFamily.Cl100k).Should().Be(1.0);
        foreach (var family in Enum.GetValues<TokenizerFamily>().Where(f => f is not TokenizerFamily.O200k and not TokenizerFamily.Cl100k))
        {
            TokenizerFamilies.SafetyFactorOf(family).Should().BeGreaterThan(1.0, $"{family} has no offline tokenizer");
            TokenizerFamilies.SafetyFactorOf(TokenizerFamily.Unknown).Should().BeGreaterThanOrEqualTo(TokenizerFamilies.SafetyFactorOf(family));
        }
    }

    [Fact]
    public void A_very_long_model_id_is_handled()
    {
        TokenizerFamilies.ForModel(new string('x', 10_000) + "claude").Should().Be(TokenizerFamily.Claude);
    }
}
