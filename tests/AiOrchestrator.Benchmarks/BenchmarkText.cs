namespace AiOrchestrator.Benchmarks;

/// <summary>Prompts of fixed sizes for benchmarks.</summary>
internal static class BenchmarkText
{
    /// <summary>About 1 KB of English prose.</summary>
    public static readonly string Prompt1Kb = Build(1024);

    private static string Build(int length)
    {
        const string Paragraph = "Our team is planning the next quarter and needs a short summary of last month's support tickets, " +
            "grouped by product area, with the three most common complaints and a suggested fix for each. Please keep it brief, " +
            "use plain language, and mention any ticket that was escalated to engineering more than once. ";
        var text = string.Concat(Enumerable.Repeat(Paragraph, (length / Paragraph.Length) + 1));
        return text[..length];
    }
}
