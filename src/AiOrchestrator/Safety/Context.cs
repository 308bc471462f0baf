namespace AiOrchestrator.Safety;

/// <summary>Words near a candidate that raise (or are required for) a detector's confidence.</summary>
internal static class Context
{
    public static readonly string[] SsnWords = ["ssn", "social security", "social sec", "ss#", "ss #"];

    public static readonly string[] PhoneWords = ["phone", "tel", "call", "mobile", "cell", "fax", "contact", "reach", "whatsapp", "sms", "text me", "office", "landline", "number", "answering", "dial"];

    /// <summary>Whether one of <paramref name="words"/> (lower case) occurs within 32 characters before or after the candidate.</summary>
    public static bool HasWordNearby(ReadOnlySpan<char> text, int start, int length, string[] words)
    {
        const int Window = 32;
        var before = text[Math.Max(0, start - Window)..start];
        var afterStart = start + length;
        var after = text[afterStart..Math.Min(text.Length, afterStart + Window)];
        foreach (var word in words)
        {
            if (before.Contains(word, StringComparison.OrdinalIgnoreCase) || after.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
