using System.Text.Json;
using AiOrchestrator.Safety;

namespace SafetyEvaluation;

internal sealed record LabelledPrompt(int Index, string Text, bool Injection, string Source);

internal static class InjectionEvaluation
{
    public const string LlmGuardPath = "injection/llm-guard-prompts.jsonl";
    public const string XsTestPath = "injection/xstest-prompts.csv";

    public static IReadOnlyList<LabelledPrompt> LoadLlmGuard(string dataFolder)
    {
        var rows = new List<LabelledPrompt>();
        var i = 0;
        foreach (var line in File.ReadLines(Path.Combine(dataFolder, LlmGuardPath)))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var label = doc.RootElement.GetProperty("label").GetString();
            rows.Add(new LabelledPrompt(i++, doc.RootElement.GetProperty("text").GetString()!, label == "injection", "llm-guard"));
        }

        return rows;
    }

    /// <summary>The safe prompts of XSTest (prompts that sound unsafe but are not; none is an injection).</summary>
    public static IReadOnlyList<LabelledPrompt> LoadXsTestSafe(string dataFolder)
    {
        var rows = new List<LabelledPrompt>();
        var lines = File.ReadAllLines(Path.Combine(dataFolder, XsTestPath));
        var header = Csv(lines[0]);
        var prompt = header.IndexOf("prompt");
        var label = header.IndexOf("label");
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = Csv(lines[i]);
            if (cells.Count > Math.Max(prompt, label) && cells[label] == "safe")
            {
                rows.Add(new LabelledPrompt(i - 1, cells[prompt], false, "xstest"));
            }
        }

        return rows;
    }

    public static double[] Scores(IReadOnlyList<LabelledPrompt> prompts)
        => prompts.Select(p => HeuristicPromptInjectionDetector.Instance.Assess(p.Text).Score).ToArray();

    /// <summary>Splits a quoted CSV line (the file has no line breaks inside cells).</summary>
    private static List<string> Csv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
