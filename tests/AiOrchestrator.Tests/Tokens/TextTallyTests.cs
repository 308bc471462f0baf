using AiOrchestrator.Tokens;

namespace AiOrchestrator.Tests.Tokens;

public class TextTallyTests
{
    [Theory]
    [InlineData(TokenizerFamily.O200k)]
    [InlineData(TokenizerFamily.Claude)]
    public void Pieces_split_at_spaces_count_as_the_whole_text(TokenizerFamily family)
    {
        // Every character class the estimator knows: letters, camelCase, digits, spaces, breaks, punctuation,
        // accented and other scripts, CJK, symbols and an emoji.
        string[] pieces = ["The answer", " is 42,", " naïve camelCase", " Привет\n", " नमस्ते", " 日本語", " → ★", " 😀!"];
        var tally = default(TextTally);
        foreach (var piece in pieces)
        {
            tally.Add(piece);
        }

        tally.Tokens(family).Should().Be(TokenEstimator.EstimateTokens(string.Concat(pieces), family));
    }

    [Fact]
    public void Counting_deltas_together_is_far_below_estimating_each_delta_alone()
    {
        var deltas = Enumerable.Repeat(" word", 100).ToArray();
        var tally = default(TextTally);
        var separately = 0;
        foreach (var delta in deltas)
        {
            tally.Add(delta);
            separately += TokenEstimator.EstimateTokens(delta, TokenizerFamily.O200k);
        }

        tally.Tokens(TokenizerFamily.O200k).Should().BeLessThan(separately / 2);
        tally.Tokens(TokenizerFamily.O200k).Should().BeGreaterThanOrEqualTo(100);
    }
}
