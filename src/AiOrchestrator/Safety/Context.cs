namespace AiOrchestrator.Safety;

/// <summary>Words near a candidate that raise (or are required for) a detector's confidence.</summary>
internal static class Context
{
    public static readonly Words SsnWords = new(["ssn", "social security", "social sec", "ss#", "ss #"]);

    public static readonly Words PhoneWords = new(["phone", "tel", "call", "mobile", "cell", "fax", "contact", "reach", "whatsapp", "sms", "text me", "office", "landline", "answering", "dial"]);

    private static readonly string[] AddressBefore = ["apt", "apt.", "suite", "unit", "no.", "#", "box", "flat", "room"];

    private static readonly HashSet<string> StreetWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "street", "st", "avenue", "ave", "lane", "ln", "road", "rd", "rue", "boulevard", "blvd", "drive", "dr", "way", "court", "ct",
        "square", "sq", "place", "pl", "terrace", "parkway", "pkwy", "highway", "hwy", "strasse", "straße", "str", "via", "calle",
        "avenida", "allee", "weg", "gasse", "plaza", "close", "crescent", "circle", "alley", "route", "chemin", "viale", "piazza",
    };

    /// <summary>Whether one of <paramref name="words"/> (lower case) occurs within 32 characters before or after the candidate.</summary>
    public static bool HasWordNearby(ReadOnlySpan<char> text, int start, int length, Words words)
    {
        const int Window = 32;
        var before = text[Math.Max(0, start - Window)..start];
        var afterStart = start + length;
        var after = text[afterStart..Math.Min(text.Length, afterStart + Window)];
        if (!before.ContainsAnyExceptInRange('\0', '\u007F') && !after.ContainsAnyExceptInRange('\0', '\u007F'))
        {
            // ASCII only: lower-casing is A-Z to a-z, so a case-insensitive search for the words finds the same.
            return before.ContainsAny(words.Search) || after.ContainsAny(words.Search);
        }

        Span<char> lower = stackalloc char[(2 * Window) + 1];
        var n = before.ToLowerInvariant(lower);
        lower[n++] = '\u0001'; // no word spans the candidate
        n += after.ToLowerInvariant(lower[n..]);
        var window = lower[..n];
        foreach (var word in words.List)
        {
            if (window.IndexOf(word, StringComparison.Ordinal) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a number is part of a postal address: right after "Apt."/"Suite"/"No.", or followed within three words
    /// by a street word ("Lane", "Rue", "Sq").
    /// </summary>
    public static bool IsPartOfAddress(ReadOnlySpan<char> text, int start, int length)
    {
        var before = text[Math.Max(0, start - 8)..start].TrimEnd();
        foreach (var word in AddressBefore)
        {
            if (before.EndsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        var after = text[(start + length)..Math.Min(text.Length, start + length + 40)];
        var lookup = StreetWords.GetAlternateLookup<ReadOnlySpan<char>>();
        var words = 0;
        foreach (var range in after.SplitAny(" ,\n\t"))
        {
            var word = after[range].TrimEnd('.');
            if (word.IsEmpty)
            {
                continue;
            }

            if (lookup.Contains(word))
            {
                return true;
            }

            if (++words == 3)
            {
                break;
            }
        }

        return false;
    }
}

/// <summary>Lower-case ASCII words, with a vectorised case-insensitive search for them.</summary>
internal sealed class Words(string[] list)
{
    public string[] List { get; } = list;

    public System.Buffers.SearchValues<string> Search { get; } = System.Buffers.SearchValues.Create(list, StringComparison.OrdinalIgnoreCase);
}
