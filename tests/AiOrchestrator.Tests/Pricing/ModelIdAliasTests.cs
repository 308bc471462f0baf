using System.Text.RegularExpressions;
using AiOrchestrator.Pricing;

namespace AiOrchestrator.Tests.Pricing;

/// <summary>The snapshot-suffix rule, read by hand, agrees with the pattern it replaced on every id tried.</summary>
public class ModelIdAliasTests
{
    private static readonly Regex Former = new(@"^(?<base>.+?)[-@](?:\d{4}-\d{2}-\d{2}|\d{8})$", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [InlineData("claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("x-20240806", "x")]
    [InlineData("gpt-4o", null)]
    [InlineData("-20240806", null)]
    [InlineData("gpt-4o-2024-8-06", null)]
    [InlineData("o1-mini-2024-09-1x", null)]
    [InlineData("model_20240806", null)]
    public void The_dated_suffix_is_taken_off(string id, string? expected)
        => ModelIdAliases.WithoutSnapshotSuffix(id).Should().Be(expected);

    [Fact]
    public void It_agrees_with_the_former_pattern_on_generated_ids()
    {
        var random = new Random(20261203);
        const string alphabet = "ab-@0123456789";
        for (var i = 0; i < 20_000; i++)
        {
            var id = new string([.. Enumerable.Range(0, random.Next(1, 16)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var match = Former.Match(id);

            ModelIdAliases.WithoutSnapshotSuffix(id).Should().Be(match.Success ? match.Groups["base"].Value : null, "for '{0}'", id);
        }
    }
}
