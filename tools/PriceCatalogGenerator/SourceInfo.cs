using System.Text.RegularExpressions;

namespace PriceCatalogGenerator;

/// <summary>The genai-prices commit the feed came from, read from SOURCE-COMMIT.txt: <c>&lt;commit&gt; (&lt;date&gt;): ...</c>.</summary>
internal sealed partial record SourceInfo(string Commit, string Date)
{
    public static SourceInfo Parse(string text)
    {
        var match = Line().Match(text);
        if (!match.Success || !DateOnly.TryParseExact(match.Groups["date"].Value, "yyyy-MM-dd", out _))
        {
            throw new CatalogValidationException(
                ["SOURCE-COMMIT.txt: must start with '<40-hex-digit commit> (<YYYY-MM-DD>)', e.g. '47df840a5ab10bbcffb8e5ac01b9899032245d1b (2026-08-21): prices/new_data/v2/data.json, prices/units.yml'."]);
        }

        return new SourceInfo(match.Groups["commit"].Value, match.Groups["date"].Value);
    }

    [GeneratedRegex(@"\A(?<commit>[0-9a-f]{40}) \((?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})\)")]
    private static partial Regex Line();
}
