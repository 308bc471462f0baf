using System.Globalization;

namespace RateLimitEvaluation;

/// <summary>One request of the trace: when it arrived (ticks from the first) and its token counts.</summary>
internal readonly record struct TraceRequest(long At, int ContextTokens, int GeneratedTokens)
{
    public const string RelativePath = "traces/azure-llm-inference-conv-2023.csv";

    public int Tokens => ContextTokens + GeneratedTokens;

    public static List<TraceRequest> Load(string dataFolder)
    {
        var lines = File.ReadAllLines(Path.Combine(dataFolder, RelativePath));
        var requests = new List<TraceRequest>(lines.Length);
        long? first = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            var at = DateTime.ParseExact(parts[0], "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).Ticks;
            first ??= at;
            requests.Add(new TraceRequest(at - first.Value, int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
        }

        requests.Sort((a, b) => a.At.CompareTo(b.At));
        return requests;
    }
}
