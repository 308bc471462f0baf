using System.Text.Json;
using AiOrchestrator.Safety;

namespace SafetyEvaluation;

/// <summary>A labelled span of the PII set, with its label mapped to ours (null when out of scope).</summary>
internal sealed record GoldSpan(int Start, int End, string Label, string? Type);

internal sealed record PiiText(int Index, string Text, IReadOnlyList<GoldSpan> Spans);

/// <summary>Counts for one type on one subset: exact and overlapping span matches.</summary>
internal sealed class TypeScore
{
    public int Gold { get; set; }

    public int Predicted { get; set; }

    public int ExactTruePositives { get; set; }

    public int OverlapGoldFound { get; set; }

    public int OverlapPredictedRight { get; set; }

    public double ExactPrecision => Predicted == 0 ? double.NaN : (double)ExactTruePositives / Predicted;

    public double ExactRecall => Gold == 0 ? double.NaN : (double)ExactTruePositives / Gold;

    public double OverlapPrecision => Predicted == 0 ? double.NaN : (double)OverlapPredictedRight / Predicted;

    public double OverlapRecall => Gold == 0 ? double.NaN : (double)OverlapGoldFound / Gold;
}

internal static class PiiEvaluation
{
    public const string RelativePath = "pii/presidio-generated-large.json";

    /// <summary>The data set's labels that our detectors cover, and our type for each.</summary>
    public static readonly IReadOnlyDictionary<string, string> LabelMap = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["EMAIL_ADDRESS"] = "EMAIL",
        ["PHONE_NUMBER"] = "PHONE",
        ["CREDIT_CARD"] = "CREDIT_CARD",
        ["IBAN_CODE"] = "IBAN",
        ["US_SSN"] = "US_SSN",
        ["IP_ADDRESS"] = "IP_ADDRESS",
    };

    public static IReadOnlyList<PiiText> Load(string dataFolder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataFolder, RelativePath)));
        var texts = new List<PiiText>();
        var i = 0;
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            var spans = row.GetProperty("spans").EnumerateArray().Select(s =>
            {
                var label = s.GetProperty("entity_type").GetString()!;
                return new GoldSpan(s.GetProperty("start_position").GetInt32(), s.GetProperty("end_position").GetInt32(), label, LabelMap.GetValueOrDefault(label));
            }).ToList();
            texts.Add(new PiiText(i++, row.GetProperty("full_text").GetString()!, spans));
        }

        return texts;
    }

    /// <summary>Scores the scanner on <paramref name="texts"/>, per our type; <paramref name="misses"/> collects examples of errors.</summary>
    public static Dictionary<string, TypeScore> Score(SensitiveDataScanner scanner, IEnumerable<PiiText> texts, List<string>? misses = null)
    {
        var scores = LabelMap.Values.ToDictionary(t => t, _ => new TypeScore(), StringComparer.Ordinal);
        foreach (var text in texts)
        {
            var predicted = scanner.Scan(text.Text);
            foreach (var gold in text.Spans.Where(g => g.Type is not null))
            {
                var s = scores[gold.Type!];
                s.Gold++;
                if (predicted.Any(p => p.Type.Name == gold.Type && p.Start == gold.Start && p.End == gold.End))
                {
                    s.ExactTruePositives++;
                }

                if (predicted.Any(p => p.Type.Name == gold.Type && p.Start < gold.End && gold.Start < p.End))
                {
                    s.OverlapGoldFound++;
                }
                else
                {
                    misses?.Add($"MISS {gold.Type}: '{text.Text[gold.Start..gold.End]}'");
                }
            }

            foreach (var p in predicted)
            {
                if (!scores.TryGetValue(p.Type.Name, out var s))
                {
                    misses?.Add($"OTHER {p.Type}: '{text.Text.Substring(p.Start, p.Length)}'");
                    continue;
                }

                s.Predicted++;
                var right = text.Spans.Any(g => g.Type == p.Type.Name && p.Start < g.End && g.Start < p.End);
                if (right)
                {
                    s.OverlapPredictedRight++;
                }
                else
                {
                    var under = text.Spans.FirstOrDefault(g => p.Start < g.End && g.Start < p.End);
                    misses?.Add($"FALSE {p.Type}: '{text.Text.Substring(p.Start, p.Length)}' (gold there: {under?.Label ?? "none"})");
                }
            }
        }

        return scores;
    }
}
