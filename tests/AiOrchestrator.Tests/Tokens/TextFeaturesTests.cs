using AiOrchestrator.Tokens;
using FsCheck.Xunit;

namespace AiOrchestrator.Tests.Tokens;

public class TextFeaturesTests
{
    [Property(MaxTest = 300)]
    public void Vectorised_counts_equal_the_scalar_reference(string? text)
    {
        text ??= "";
        TextFeatures.Measure(text).Should().Be(TextFeatures.MeasureScalar(text));
    }

    [Theory]
    [MemberData(nameof(SampleTexts.All), MemberType = typeof(SampleTexts))]
    public void Vectorised_counts_equal_the_scalar_reference_on_long_mixed_text(string kind, string text)
    {
        // Repeat so that every vector width, chunk boundary and tail length is exercised.
        string longText = string.Concat(Enumerable.Repeat(text + "x", 40));
        TextFeatures.Measure(longText).Should().Be(TextFeatures.MeasureScalar(longText), kind);
    }

    [Fact]
    public void Counts_character_classes()
    {
        var f = TextFeatures.MeasureScalar("Hi camelCase 42,\n语😀é");
        f.Length.Should().Be(21);
        f.Letters.Should().Be(11);
        f.LetterRuns.Should().Be(2);
        f.CaseChanges.Should().Be(1);
        f.Digits.Should().Be(2);
        f.DigitRuns.Should().Be(1);
        f.Spaces.Should().Be(2);
        f.Breaks.Should().Be(1);
        f.Punctuation.Should().Be(1);
        f.Cjk.Should().Be(1);
        f.SurrogatePairs.Should().Be(1);
        f.TwoByte.Should().Be(1);
    }

    [Fact]
    public void Counts_runs_longer_than_the_16_bit_chunk()
    {
        string text = string.Concat(Enumerable.Repeat("ab1 ", 300_000));
        var f = TextFeatures.Measure(text);
        f.Should().Be(TextFeatures.MeasureScalar(text));
        f.LetterRuns.Should().Be(300_000);
        f.Letters.Should().Be(600_000);
    }
}
