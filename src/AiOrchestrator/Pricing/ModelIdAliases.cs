using System.Text.RegularExpressions;

namespace AiOrchestrator.Pricing;

/// <summary>
/// Other spellings to try for a model id the catalog does not know as given: without Gemini's <c>models/</c>
/// prefix, and without a dated snapshot suffix (<c>-2024-08-06</c>, <c>-20241022</c>, <c>@20250929</c>).
/// </summary>
internal static partial class ModelIdAliases
{
    public static List<string> For(string lowerModelId)
    {
        var candidates = new List<string>(3) { lowerModelId };
        if (lowerModelId.StartsWith("models/", StringComparison.Ordinal) && lowerModelId.Length > 7)
        {
            candidates.Add(lowerModelId[7..]);
        }

        var count = candidates.Count;
        for (var i = 0; i < count; i++)
        {
            var match = SnapshotSuffix().Match(candidates[i]);
            if (match.Success)
            {
                candidates.Add(match.Groups["base"].Value);
            }
        }

        return candidates;
    }

    [GeneratedRegex(@"^(?<base>.+?)[-@](?:\d{4}-\d{2}-\d{2}|\d{8})$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex SnapshotSuffix();
}
