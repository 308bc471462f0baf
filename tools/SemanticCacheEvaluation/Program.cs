using System.Diagnostics;
using AiOrchestrator.Caching.Semantic;
using AiOrchestrator.Embeddings.Local;
using SemanticCacheEvaluation;

// Usage: dotnet run -c Release --project tools/SemanticCacheEvaluation -- [data-folder] [--out file]
//   data-folder  the shared data sets (default: ../shared/data next to the repository)
//   --out        where to write the report (default: docs/caching-evaluation.md in the repository)
//   --examples   also print a few pairs of each kind, to check the near-miss rules
//   --leaks      also print a few negatives of each kind that the guard lets through
const int Seed = 20240917;
var repoRoot = FindRepoRoot();
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--out")).ToList();
var dataFolder = Path.GetFullPath(positional.FirstOrDefault() ?? Path.Combine(repoRoot, "..", "shared", "data"));
var outIndex = Array.IndexOf(args, "--out");
var output = outIndex >= 0 && outIndex + 1 < args.Length ? Path.GetFullPath(args[outIndex + 1]) : Path.Combine(repoRoot, "docs", "caching-evaluation.md");
if (!File.Exists(Path.Combine(dataFolder, PairsFile.RelativePath)))
{
    Console.Error.WriteLine($"'{Path.Combine(dataFolder, PairsFile.RelativePath)}' not found. Pass the folder holding paraphrase/ as the first argument.");
    return 1;
}

var total = Stopwatch.StartNew();
var loadAverage = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(1)) : "unknown";
var source = PairsFile.Load(dataFolder);
Console.WriteLine($"{source.Count} paraphrase pairs from {PairsFile.RelativePath}");

var pairs = new List<Pair>();
pairs.AddRange(source.Select(p => new Pair(p.Origin, p.Similar, PairKind.Paraphrase)));
pairs.AddRange(PairsFile.Unrelated(source, Seed));
var origins = source.Select(p => p.Origin).Distinct(StringComparer.Ordinal).ToList();
var nearMisses = new NearMisses(source.SelectMany(p => new[] { p.Origin, p.Similar }), Seed);
foreach (var origin in origins)
{
    Add(origin, NearMisses.ChangeNumber(origin), PairKind.NumberChanged);
    Add(origin, NearMisses.FlipNegation(origin), PairKind.NegationFlipped);
    Add(origin, nearMisses.SwapEntity(origin), PairKind.EntitySwapped);
    Add(origin, NearMisses.ChangeWord(origin), PairKind.WordChanged);
}

foreach (var kind in Enum.GetValues<PairKind>())
{
    Console.WriteLine($"  {kind}: {pairs.Count(p => p.Kind == kind)} pairs");
    if (args.Contains("--examples"))
    {
        foreach (var p in pairs.Where(p => p.Kind == kind).Take(6))
        {
            Console.WriteLine($"    - {p.Stored}\n      {p.Incoming}");
        }
    }
}

var sentences = pairs.SelectMany(p => new[] { p.Stored, p.Incoming }).Distinct(StringComparer.Ordinal).ToList();
Console.WriteLine($"Embedding {sentences.Count} distinct texts with {LocalEmbeddingGenerator.ModelId}...");
var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
var embedTime = Stopwatch.StartNew();
long tokens = 0;
using (var generator = new LocalEmbeddingGenerator())
{
    const int chunk = 256;
    for (var start = 0; start < sentences.Count; start += chunk)
    {
        var part = sentences.GetRange(start, Math.Min(chunk, sentences.Count - start));
        var embeddings = await generator.GenerateAsync(part);
        tokens += embeddings.Usage?.InputTokenCount ?? 0;
        for (var i = 0; i < part.Count; i++)
        {
            vectors[part[i]] = embeddings[i].Vector.ToArray();
        }

        Console.WriteLine($"  {vectors.Count}/{sentences.Count} ({embedTime.Elapsed.TotalSeconds:F0} s)");
    }
}

embedTime.Stop();
var signatures = sentences.ToDictionary(s => s, SemanticGuard.Signature, StringComparer.Ordinal);
var scored = pairs.Select(p => new Scored(p, Cosine(vectors[p.Stored], vectors[p.Incoming]), SemanticGuard.Agree(signatures[p.Stored], signatures[p.Incoming]))).ToList();
if (args.Contains("--leaks"))
{
    // Negatives the guard lets through, to check its rules.
    foreach (var group in scored.Where(s => s.Pair.Kind != PairKind.Paraphrase && s.GuardAgrees).GroupBy(s => s.Pair.Kind))
    {
        Console.WriteLine($"{group.Key}: {group.Count()} pass the guard");
        foreach (var s in group.Take(8))
        {
            Console.WriteLine($"    - {s.Pair.Stored}\n      {s.Pair.Incoming}");
        }
    }
}

var run = new RunInfo(
    DateTime.UtcNow, Environment.ProcessorCount, CpuModel(), Environment.Version.ToString(),
    sentences.Count, tokens, embedTime.Elapsed, source.Count, origins.Count, nearMisses.EntityVocabularySize, Seed, loadAverage);
var report = Report.Render(scored, run);
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
await File.WriteAllTextAsync(output, report);
Console.WriteLine(Report.Summary(scored));
Console.WriteLine($"Wrote {output} in {total.Elapsed.TotalSeconds:F0} s.");
return 0;

void Add(string origin, string? changed, PairKind kind)
{
    if (changed is not null && !string.Equals(changed, origin, StringComparison.Ordinal))
    {
        pairs.Add(new Pair(origin, changed, kind));
    }
}

static double Cosine(float[] a, float[] b)
{
    double dot = 0, na = 0, nb = 0;
    for (var i = 0; i < a.Length; i++)
    {
        dot += (double)a[i] * b[i];
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
    }

    return dot / Math.Sqrt(na * nb);
}

static string CpuModel()
{
    const string path = "/proc/cpuinfo";
    var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
    return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
}

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

    throw new InvalidOperationException("Run this from inside the repository (the folder with AiOrchestrator.sln).");
}
