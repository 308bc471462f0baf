using System.Globalization;
using System.Text;
using AiOrchestrator.Safety;
using SafetyEvaluation;

// Usage: dotnet run -c Release --project tools/SafetyEvaluation -- [data-folder] [--out file] [--errors]
//   data-folder  the shared data sets (default: ../shared/data next to the repository)
//   --out        where to write the report (default: docs/safety-evaluation.md in the repository)
//   --errors     also print the misses and false positives (values from the public sets, never written to the report)
var inv = CultureInfo.InvariantCulture;
var repoRoot = FindRepoRoot();
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--out")).ToList();
var dataFolder = Path.GetFullPath(positional.FirstOrDefault() ?? Path.Combine(repoRoot, "..", "shared", "data"));
var outIndex = Array.IndexOf(args, "--out");
var output = outIndex >= 0 && outIndex + 1 < args.Length ? Path.GetFullPath(args[outIndex + 1]) : Path.Combine(repoRoot, "docs", "safety-evaluation.md");
foreach (var file in new[] { PiiEvaluation.RelativePath, InjectionEvaluation.LlmGuardPath, InjectionEvaluation.XsTestPath })
{
    if (!File.Exists(Path.Combine(dataFolder, file)))
    {
        Console.Error.WriteLine($"'{Path.Combine(dataFolder, file)}' not found. Pass the folder holding pii/ and injection/ as the first argument.");
        return 1;
    }
}

var showErrors = args.Contains("--errors");
var md = new StringBuilder();
md.AppendLine("# Safety evaluation").AppendLine();
md.AppendLine(inv, $"Produced by `tools/SafetyEvaluation` on {DateTime.UtcNow:yyyy-MM-dd} (`dotnet run --project tools/SafetyEvaluation -c Release -- <data folder>`). ");
md.AppendLine("The data sets are public development sets kept outside the repository; nothing from them is copied here but counts. ");
md.AppendLine("To limit over-fitting, each set is split by row index into an **even** half (the one whose errors were studied while tuning) and an **odd** half. The split is a weak control: the first version of the rules was written after reading a sample of rows from both halves, so the odd half is not a clean held-out set. Two larger benign sets that played no part in tuning are added below as an over-blocking check, and the unit tests use examples written for the project.").AppendLine();

// --- PII -------------------------------------------------------------------------------------------------------
var pii = PiiEvaluation.Load(dataFolder);
var scanner = SensitiveDataScanner.Default;
var errors = showErrors ? new List<string>() : null;
var even = PiiEvaluation.Score(scanner, pii.Where(t => t.Index % 2 == 0));
var odd = PiiEvaluation.Score(scanner, pii.Where(t => t.Index % 2 == 1));
var all = PiiEvaluation.Score(scanner, pii, errors);
md.AppendLine("## Personal data (span level)").AppendLine();
md.AppendLine("Licences: presidio-research is MIT (Microsoft); llm-guard is MIT (Protect AI); XSTest is CC-BY-4.0 (Röttger et al., \"XSTest: A Test Suite for Identifying Exaggerated Safety Behaviours in Large Language Models\"); GPTCache is MIT (Zilliz). The licence files sit next to the data, outside this repository.").AppendLine();
md.AppendLine(inv, $"Data: `pii/presidio-generated-large.json` from microsoft/presidio-research (MIT): {pii.Count} synthetic texts with labelled spans. ");
md.AppendLine("Scanner: `SensitiveDataScanner.Default` (default options: minimum confidence 0.5, phone region US). ");
md.AppendLine("*Exact*: same start, end and type. *Overlap*: a prediction of the same type shares at least one character with the labelled span (recall: labelled spans found; precision: predictions that hit a labelled span of their type). A prediction counts against precision when no labelled span of its type is under it, including when the set labels that text as something else (for example a date).").AppendLine();
md.AppendLine("| type (data set label) | half | labelled | predicted | exact P | exact R | overlap P | overlap R |");
md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
foreach (var (label, type) in PiiEvaluation.LabelMap)
{
    foreach (var (half, scores) in new[] { ("even (tuning)", even), ("odd (held out)", odd), ("all", all) })
    {
        var s = scores[type];
        md.AppendLine(inv, $"| {type} ({label}) | {half} | {s.Gold} | {s.Predicted} | {F(s.ExactPrecision)} | {F(s.ExactRecall)} | {F(s.OverlapPrecision)} | {F(s.OverlapRecall)} |");
    }
}

var totalGold = all.Values.Sum(s => s.Gold);
var totalPred = all.Values.Sum(s => s.Predicted);
md.AppendLine(inv, $"| **structured types together** | all | {totalGold} | {totalPred} | {F((double)all.Values.Sum(s => s.ExactTruePositives) / totalPred)} | {F((double)all.Values.Sum(s => s.ExactTruePositives) / totalGold)} | {F((double)all.Values.Sum(s => s.OverlapPredictedRight) / totalPred)} | {F((double)all.Values.Sum(s => s.OverlapGoldFound) / totalGold)} |");
md.AppendLine();
md.AppendLine("Goal for these types: recall ≥ 0.95 and precision ≥ 0.95.").AppendLine();
var outOfScope = pii.SelectMany(t => t.Spans).Where(s => s.Type is null).GroupBy(s => s.Label).OrderByDescending(g => g.Count());
md.AppendLine("Out of scope (not detected by design; names, places and organisations need a language model or an NER model, see docs/safety.md):").AppendLine();
md.AppendLine("| data set label | labelled spans |").AppendLine("|---|---:|");
foreach (var g in outOfScope)
{
    md.AppendLine(inv, $"| {g.Key} | {g.Count()} |");
}

md.AppendLine();
Console.WriteLine(md.ToString());

// --- Injection -------------------------------------------------------------------------------------------------
var guard = InjectionEvaluation.LoadLlmGuard(dataFolder);
var xs = InjectionEvaluation.LoadXsTestSafe(dataFolder);
var guardScores = InjectionEvaluation.Scores(guard);
var xsScores = InjectionEvaluation.Scores(xs);
const double Threshold = 0.5;
md.AppendLine("## Prompt injection").AppendLine();
md.AppendLine("Data: `injection/llm-guard-prompts.jsonl` (prompts from protectai/llm-guard's scanner tests, MIT) and the 250 prompts labelled *safe* in `injection/xstest-prompts.csv` (XSTest, paul-rottger/exaggerated-safety, CC-BY-4.0: prompts that sound harmful but are not; none is an injection, so any hit is over-blocking). ");
md.AppendLine(inv, $"Detector: `HeuristicPromptInjectionDetector` on each prompt as a user message; a prompt is flagged when its score is at least the threshold (the default, {Threshold:0.00}).").AppendLine();
md.AppendLine("| threshold | half | TPR (llm-guard injections) | FPR (llm-guard benign) | FPR (XSTest safe) | FPR (both benign sets) |");
md.AppendLine("|---:|---|---:|---:|---:|---:|");
foreach (var t in new[] { 0.3, 0.4, 0.5, 0.6, 0.7 })
{
    foreach (var (half, keep) in new (string, Func<int, bool>)[] { ("even (tuning)", i => i % 2 == 0), ("odd (held out)", i => i % 2 == 1), ("all", _ => true) })
    {
        var inj = guard.Where(p => p.Injection && keep(p.Index)).ToList();
        var ben = guard.Where(p => !p.Injection && keep(p.Index)).ToList();
        var safe = xs.Where(p => keep(p.Index)).ToList();
        var tp = inj.Count(p => guardScores[p.Index] >= t);
        var fpBen = ben.Count(p => guardScores[p.Index] >= t);
        var fpXs = safe.Count(p => xsScores[xs.ToList().IndexOf(p)] >= t);
        md.AppendLine(inv, $"| {t:0.0} | {half} | {Ratio(tp, inj.Count)} | {Ratio(fpBen, ben.Count)} | {Ratio(fpXs, safe.Count)} | {Ratio(fpBen + fpXs, ben.Count + safe.Count)} |");
    }
}

md.AppendLine();
var extraBenign = pii.Select(t => t.Text).ToList();
var paraphrasePath = Path.Combine(dataFolder, "paraphrase", "gptcache-paraphrase-pairs.json");
if (File.Exists(paraphrasePath))
{
    using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(paraphrasePath));
    foreach (var pair in doc.RootElement.EnumerateArray())
    {
        extraBenign.Add(pair.GetProperty("origin").GetString()!);
    }
}

var extraFlagged = extraBenign.Count(t => HeuristicPromptInjectionDetector.Instance.Assess(t).Score >= Threshold);
md.AppendLine(inv, $"Over-blocking on ordinary text not used for tuning, at {Threshold:0.00}: {Ratio(extraFlagged, extraBenign.Count)} of the {pii.Count} texts of the PII set and the questions of `paraphrase/gptcache-paraphrase-pairs.json` (zilliztech/GPTCache, MIT) were flagged (none is an injection).").AppendLine();
md.AppendLine("Goal: TPR ≥ 0.85 at FPR ≤ 0.03. The llm-guard set is small (tens of rows), so one prompt moves its rates by several points; these are development figures, and the product is also measured on data that is not here.").AppendLine();
var missed = guard.Where(p => p.Injection && guardScores[p.Index] < Threshold).ToList();
md.AppendLine(inv, $"Injections missed at {Threshold:0.00}: {missed.Count} of {guard.Count(p => p.Injection)}. They carry no override, exfiltration or role-play wording at all: a polite request to add a reminder to every answer, a file name that announces an injection, an instruction *not* to follow embedded instructions (labelled an injection by the set), and a gibberish adversarial suffix. No general rule catches these without flagging ordinary prompts; an LLM judge (`ChatClientPromptInjectionDetector`) is the tool for them.").AppendLine();

if (showErrors)
{
    foreach (var p in missed)
    {
        errors!.Add($"INJECTION MISSED ({guardScores[p.Index]:0.00}) #{p.Index}: {p.Text[..Math.Min(160, p.Text.Length)]}");
    }

    foreach (var t in extraBenign.Where(t => HeuristicPromptInjectionDetector.Instance.Assess(t).Score >= 0.3))
    {
        errors!.Add($"EXTRA BENIGN FLAGGED: {t[..Math.Min(160, t.Length)]}");
    }

    foreach (var p in guard.Where(p => !p.Injection && guardScores[p.Index] >= 0.3))
    {
        errors!.Add($"BENIGN FLAGGED ({guardScores[p.Index]:0.00}) #{p.Index}: {p.Text[..Math.Min(160, p.Text.Length)]}");
    }

    for (var i = 0; i < xs.Count; i++)
    {
        if (xsScores[i] >= 0.3)
        {
            errors!.Add($"XSTEST FLAGGED ({xsScores[i]:0.00}) #{xs[i].Index}: {xs[i].Text}");
        }
    }

    foreach (var e in errors!.GroupBy(e => e).OrderByDescending(g => g.Count()).Take(250))
    {
        Console.WriteLine($"{Times(e.Count())} {e.Key.ReplaceLineEndings(" ")}");
    }
}

File.WriteAllText(output, md.ToString().TrimEnd() + "\n");
Console.WriteLine($"Wrote {output}");
return 0;

static string Times(int n) => n > 1 ? $"[x{n}]" : "     ";

static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.000", CultureInfo.InvariantCulture);

static string Ratio(int n, int d) => d == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{(double)n / d:0.000} ({n}/{d})");

static string FindRepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiOrchestrator.sln")))
            {
                return dir.FullName;
            }
        }
    }

    return Directory.GetCurrentDirectory();
}
