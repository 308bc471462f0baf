using System.Text;
using System.Text.Json;

namespace TokenCalibration;

/// <summary>Reads the real texts of the shared data folder (never copied into the repository).</summary>
internal static class DatasetTexts
{
    public static List<CalibrationText> Load(string dataFolder)
    {
        var texts = new List<CalibrationText>();

        using (var pii = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataFolder, "pii", "presidio-generated-large.json"))))
        {
            foreach (var item in pii.RootElement.EnumerateArray())
            {
                texts.Add(new("prose (PII set)", item.GetProperty("full_text").GetString()!));
            }
        }

        foreach (var line in File.ReadLines(Path.Combine(dataFolder, "injection", "llm-guard-prompts.jsonl")))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                using var doc = JsonDocument.Parse(line);
                texts.Add(new("prompts (injection sets)", doc.RootElement.GetProperty("text").GetString()!));
            }
        }

        var rows = ParseCsv(File.ReadAllText(Path.Combine(dataFolder, "injection", "xstest-prompts.csv")));
        int promptColumn = rows[0].IndexOf("prompt");
        foreach (var row in rows.Skip(1))
        {
            texts.Add(new("prompts (injection sets)", row[promptColumn]));
        }

        using (var pairs = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dataFolder, "paraphrase", "gptcache-paraphrase-pairs.json"))))
        {
            foreach (var pair in pairs.RootElement.EnumerateArray())
            {
                texts.Add(new("questions (paraphrase set)", pair.GetProperty("origin").GetString()!));
                texts.Add(new("questions (paraphrase set)", pair.GetProperty("similar").GetString()!));
            }
        }

        texts.RemoveAll(t => t.Text.Length == 0);
        return texts;
    }

    private static List<List<string>> ParseCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
