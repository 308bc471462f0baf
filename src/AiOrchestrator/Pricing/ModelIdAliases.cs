namespace AiOrchestrator.Pricing;

/// <summary>
/// Other spellings to try for a model id the catalog does not know as given: without Gemini's <c>models/</c>
/// prefix, and without a dated snapshot suffix (<c>-2024-08-06</c>, <c>-20241022</c>, <c>@20250929</c>).
/// </summary>
internal static class ModelIdAliases
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
            if (WithoutSnapshotSuffix(candidates[i]) is { } undated)
            {
                candidates.Add(undated);
            }
        }

        return candidates;
    }

    /// <summary>
    /// The id without a snapshot date suffix (<c>-2024-08-06</c>, <c>@20240806</c>), or null when it has none. Read by
    /// hand: a regular expression's timeout could fire on a loaded machine and fail a call.
    /// </summary>
    internal static string? WithoutSnapshotSuffix(string id)
    {
        // "-YYYY-MM-DD" or "@YYYY-MM-DD" (11 characters), "-YYYYMMDD" or "@YYYYMMDD" (9), after at least one character.
        if (id.Length >= 12 && id[^11] is '-' or '@' && IsDashedDate(id.AsSpan(id.Length - 10)))
        {
            return id[..^11];
        }

        if (id.Length >= 10 && id[^9] is '-' or '@' && AllDigits(id.AsSpan(id.Length - 8)))
        {
            return id[..^9];
        }

        return null;

        static bool IsDashedDate(ReadOnlySpan<char> date)
            => AllDigits(date[..4]) && date[4] == '-' && AllDigits(date.Slice(5, 2)) && date[7] == '-' && AllDigits(date[8..]);

        static bool AllDigits(ReadOnlySpan<char> text)
        {
            foreach (var c in text)
            {
                if (!char.IsDigit(c))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
