using System.Globalization;
using System.Text;
using AiOrchestrator.Tokens;
using TokenCalibration;

// Usage: dotnet run -c Release --project tools/TokenCalibration -- [data-folder] [--fit]
//   data-folder  the shared data sets (default: ../shared/data next to the repository)
//   --fit        refit the coefficients and write them into src/AiOrchestrator/Tokens/EstimateCoefficients.cs;
//                rebuild and run again without --fit to measure them and update docs/token-estimation.md.
string repoRoot = FindRepoRoot();
bool fit = args.Contains("--fit");
string dataFolder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
    ?? Path.Combine(repoRoot, "..", "shared", "data");
if (!Directory.Exists(dataFolder))
{
    Console.Error.WriteLine($"Data folder '{dataFolder}' not found. Pass the folder holding pii/, injection/ and paraphrase/ as the first argument.");
    return 1;
}

var real = DatasetTexts.Load(dataFolder);
var generated = GeneratedTexts.Generate(real);
var all = real.Concat(generated).ToList();
Console.WriteLine($"Measuring {all.Count} texts ({real.Count} real, {generated.Count} generated)...");
var samples = all.Select((t, i) => new Sample(t, i)).ToList();

if (fit)
{
    var source = Path.Combine(repoRoot, "src", "AiOrchestrator", "Tokens", "EstimateCoefficients.cs");
    var code = new StringBuilder();
    foreach (var encoding in new[] { BaseEncoding.O200k, BaseEncoding.Cl100k })
    {
        var training = samples.Where(s => !s.IsHoldout).ToList();
        var fitter = new Fitter(training, s => s.Exact(encoding), allowedUnderRate: 0.004);
        var theta = fitter.Fit(Sample.Names.Length);
        var terms = Sample.Names.Select((name, j) => $"{name}: {Math.Round(theta[j], 4).ToString(CultureInfo.InvariantCulture)}");
        code.Append(CultureInfo.InvariantCulture, $"    internal static readonly EstimateCoefficients {encoding} = new(\n        {string.Join(", ", terms)});\n\n");
        Console.WriteLine($"{encoding}: {string.Join(", ", terms)}");
    }

    const string begin = "    // BEGIN FITTED COEFFICIENTS (tools/TokenCalibration --fit prints these)\n";
    const string end = "    // END FITTED COEFFICIENTS";
    string text = File.ReadAllText(source);
    int b = text.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
    int e = text.IndexOf(end, StringComparison.Ordinal);
    File.WriteAllText(source, string.Concat(text.AsSpan(0, b), code.ToString(), text.AsSpan(e)));
    Console.WriteLine($"Wrote {source}; rebuild and run without --fit to measure and document them.");
    return 0;
}

string table = Report.Render(samples, real.Count, generated.Count);
Console.WriteLine(table);
string docs = Path.Combine(repoRoot, "docs", "token-estimation.md");
Report.WriteBetweenMarkers(docs, table);
Console.WriteLine($"Updated {docs}.");
return 0;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "AiOrchestrator.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run the tool from inside the repository (no AiOrchestrator.sln found above the current folder).");
}
