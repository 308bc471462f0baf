using System.Globalization;
using System.Text;
using RateLimitEvaluation;

// Usage: dotnet run -c Release --project tools/RateLimitEvaluation -- [data-folder] [--out file]
//   data-folder  the shared data sets (default: ../shared/data next to the repository)
//   --out        where to write the report (default: docs/rate-limits-evaluation.md in the repository)
var repoRoot = FindRepoRoot();
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--out")).ToList();
var dataFolder = Path.GetFullPath(positional.FirstOrDefault() ?? Path.Combine(repoRoot, "..", "shared", "data"));
var outIndex = Array.IndexOf(args, "--out");
var output = outIndex >= 0 && outIndex + 1 < args.Length ? Path.GetFullPath(args[outIndex + 1]) : Path.Combine(repoRoot, "docs", "rate-limits-evaluation.md");
if (!File.Exists(Path.Combine(dataFolder, TraceRequest.RelativePath)))
{
    Console.Error.WriteLine($"'{Path.Combine(dataFolder, TraceRequest.RelativePath)}' not found. Pass the folder holding traces/ as the first argument.");
    return 1;
}

var trace = TraceRequest.Load(dataFolder);
var commitFile = Path.Combine(dataFolder, "traces", "SOURCE-COMMIT.txt");
var commit = File.Exists(commitFile) ? File.ReadAllText(commitFile).Trim() : "unknown";
var offeredTokens = Replay.Run(new Scenario("offered", long.MaxValue / 4, null, Estimate.Exact), trace);
var offeredRequests = Replay.Run(new Scenario("offered", null, long.MaxValue / 4, Estimate.Exact), trace);
Console.WriteLine($"{trace.Count} requests over {TimeSpan.FromTicks(trace[^1].At):hh\\:mm\\:ss}; busiest 60 s: {offeredTokens.MaxWindow:N0} tokens, {offeredRequests.MaxWindow:N0} requests");

Scenario[] scenarios =
[
    new("TPM, exact estimate", 100_000, null, Estimate.Exact),
    new("TPM, exact estimate", 200_000, null, Estimate.Exact),
    new("TPM, exact estimate", 400_000, null, Estimate.Exact),
    new("TPM, exact estimate", 1_000_000, null, Estimate.Exact),
    new("TPM, estimate = input + 1,000 output cap, settled at the end", 200_000, null, Estimate.OutputCap),
    new("TPM, estimate = input + 100 (too low), settled at the end", 200_000, null, Estimate.TooLow),
    new("RPM", null, 60, Estimate.Exact),
    new("RPM", null, 150, Estimate.Exact),
    new("RPM", null, 300, Estimate.Exact),
    new("RPM", null, 600, Estimate.Exact),
];

var results = scenarios.Select(s => Replay.Run(s, trace)).ToList();
var report = new StringBuilder();
var c = CultureInfo.InvariantCulture;
report.AppendLine("# Rate limits: accuracy on a real trace");
report.AppendLine();
report.AppendLine(c, $"Date: 2026-12-03. Produced by `dotnet run --project tools/RateLimitEvaluation -c Release -- ../shared/data`; figures are deterministic (virtual clock).");
report.AppendLine();
report.AppendLine("## Data");
report.AppendLine(c, $"`traces/azure-llm-inference-conv-2023.csv` from the Azure Public Dataset (Azure/AzurePublicDataset, `AzureLLMInferenceTrace_conv.csv`, commit `{commit}`), licensed CC-BY-4.0: credit \"Azure Public Dataset\". It lists {trace.Count:N0} requests to an LLM inference service over one hour (2023-11-16 18:15–19:14 UTC) with their arrival time, input (context) tokens and generated tokens. The data stays outside the repository; the tool reads it from the data folder given as its argument.");
report.AppendLine();
report.AppendLine(c, $"Offered load: {offeredTokens.AdmittedTokens:N0} tokens ({offeredTokens.AdmittedTokens / 60.0:N0} per minute on average); the busiest 60-second window holds {offeredTokens.MaxWindow:N0} tokens and {offeredRequests.MaxWindow:N0} requests. The largest single request is {offeredTokens.LargestAdmitted:N0} tokens.");
report.AppendLine();
report.AppendLine("## Method");
report.AppendLine("Each request is replayed at its arrival time through `ScopeRateLimiter` on a virtual clock, as one organisation with one limit (default window: 60 s counted in 1-second slices; no queue, so a refused request is dropped). Admitted tokens (input + generated, the actual counts) are attributed to the request's admission time. **Every** 60-second window [t, t + 60 s) is checked: a window's sum changes only at an admission, so the largest is found exactly over windows starting at each admitted request; *mean window* is the mean over windows ending at each second of the hour (after the first minute).");
report.AppendLine();
report.AppendLine("Reconciled runs estimate tokens before the call and settle the actual count when it ends (simulated latency: 0.3 s + 20 ms per generated token): an over-estimate gives the rest back to the slice it was charged in, an under-estimate is charged when the call ends.");
report.AppendLine();
report.AppendLine("## Results");
report.AppendLine("Goal: no 60-second window admits more than the limit plus one request's tokens (the largest admitted request).");
report.AppendLine();
report.AppendLine("| scenario | limit / min | admitted requests | admitted tokens | largest 60-s window | overshoot | windows over the limit | mean window | goal |");
report.AppendLine("|---|---|---|---|---|---|---|---|---|");
foreach (var r in results)
{
    var unit = r.Scenario.RequestsPerMinute is null ? "tokens" : "requests";
    var slack = r.Scenario.RequestsPerMinute is null ? r.LargestAdmitted : 1;
    var met = r.Overshoot <= slack ? "met" : "**not met**";
    var mean = r.PerSecondWindow.Length == 0 ? 0 : r.PerSecondWindow.Average();
    report.AppendLine(c, $"| {r.Scenario.Name} | {r.Limit:N0} {unit} | {r.Admitted:N0} | {r.AdmittedTokens:N0} | {r.MaxWindow:N0} | {r.Overshoot:N0} | {r.WindowsOver:N0} | {mean:N0} ({mean / r.Limit:P0}) | {met} |");
    Console.WriteLine($"{r.Scenario.Name,-62} limit {r.Limit,9:N0}: admitted {r.Admitted,6:N0}, max window {r.MaxWindow,9:N0}, overshoot {r.Overshoot,7:N0}, over {r.WindowsOver}, mean {mean:N0}");
}

report.AppendLine();
report.AppendLine("## Reading the figures");
report.AppendLine("- With exact estimates and with the output cap (an over-estimate), no window admits more than the limit: the count covers the window plus the current slice, so the overshoot is 0, inside the goal with room to spare. The price is caution: a refused request can pass only once a whole slice has left, so at most one slice (1/60 of the window) of headroom goes unused, and a limit far below the offered load runs close to it on average.");
var low = results.Single(r => r.Scenario.Estimate == Estimate.TooLow);
report.AppendLine(c, $"- An under-estimate is the only way past a limit: the missing tokens are known only when the call ends and are charged then, after later requests were admitted against the low estimate. On this trace that put {low.WindowsOver:N0} windows over the limit, by up to {low.Overshoot:N0} tokens ({(double)low.Overshoot / low.Limit:P1}; the largest request admitted in that run was {low.LargestAdmitted:N0} tokens). The engine cannot prevent this, only bound it by the estimates it is given: estimate with the output cap (what the budget stage reserves) to stay inside the limit.");
report.AppendLine("- The request limits admit exactly their limit in the busiest windows and never more.");
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
File.WriteAllText(output, report.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
Console.WriteLine($"Wrote {output}");
return results.Where(r => r.Scenario.Estimate != Estimate.TooLow).All(r => r.Overshoot <= (r.Scenario.RequestsPerMinute is null ? r.LargestAdmitted : 1)) ? 0 : 2;

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiOrchestrator.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
