using AiOrchestrator.Tokens;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Tokens;

public class ExactTokenCounterTests
{
    [Theory]
    [InlineData("hello world", TokenizerFamily.O200k, 2)]
    [InlineData("hello world", TokenizerFamily.Cl100k, 2)]
    [InlineData("", TokenizerFamily.O200k, 0)]
    [InlineData("团队本月的预算几乎用完了", TokenizerFamily.O200k, O200kChinese)]
    [InlineData("团队本月的预算几乎用完了", TokenizerFamily.Cl100k, Cl100kChinese)]
    public void Counts_known_texts_exactly(string text, TokenizerFamily family, int expected)
    {
        ExactTokenCounter.CountTokens(text, family).Should().Be(expected);
    }

    // Measured with the o200k_base / cl100k_base tokenizers of Microsoft.ML.Tokenizers.
    private const int O200kChinese = 10;
    private const int Cl100kChinese = 15;

    [Fact]
    public void Fallback_families_multiply_the_base_count_by_their_factor()
    {
        string text = "Summarise the attached contract and list every obligation with its deadline.";
        int cl100k = ExactTokenCounter.CountTokens(text, TokenizerFamily.Cl100k);

        ExactTokenCounter.CountTokens(text, TokenizerFamily.Claude).Should().Be((int)Math.Ceiling(cl100k * 1.5));
        ExactTokenCounter.CountTokens(text, TokenizerFamily.Llama).Should().Be((int)Math.Ceiling(cl100k * 1.35));
        ExactTokenCounter.CountTokens(text, TokenizerFamily.Unknown).Should().Be((int)Math.Ceiling(cl100k * 1.5));
    }

    [Fact]
    public void Is_thread_safe()
    {
        var texts = SampleTexts.All.Select(row => (string)row[1]).ToArray();
        var expected = texts.Select(t => ExactTokenCounter.CountTokens(t, TokenizerFamily.O200k)).ToArray();
        var failures = 0;

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int k = i % texts.Length;
            var family = i % 2 == 0 ? TokenizerFamily.O200k : TokenizerFamily.Cl100k;
            int count = ExactTokenCounter.CountTokens(texts[k], family);
            if (family == TokenizerFamily.O200k && count != expected[k])
            {
                Interlocked.Increment(ref failures);
            }

            TokenizerFamilies.ForModel($"gpt-4o-{i % 50}");
            TokenEstimator.EstimateInputTokens([new ChatMessage(ChatRole.User, texts[k])], null, "gpt-4o");
        });

        failures.Should().Be(0);
    }
}
