// Builds the price catalog that ships inside the AiOrchestrator package (format 2) from the genai-prices v2 feed.
//
// Usage (from anywhere inside the repository):
//   dotnet run --project tools/PriceCatalogGenerator -- [--feed path/data.json] [--units path/units.yml]
//       [--source-commit-file path/SOURCE-COMMIT.txt] [--out path/price-catalog.json]
//
// Defaults: the committed input in tools/PriceCatalogGenerator/Feed/ and the output
// src/AiOrchestrator/Pricing/Data/price-catalog.json. Exits non-zero, naming each problem, when the input is invalid.
using PriceCatalogGenerator;

const string Usage =
    "Usage: PriceCatalogGenerator [--feed data.json] [--units units.yml] [--source-commit-file SOURCE-COMMIT.txt] [--out price-catalog.json]";

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--help" or "-h")
    {
        Console.WriteLine(Usage);
        return 0;
    }

    if (args[i] is not ("--feed" or "--units" or "--source-commit-file" or "--out") || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"Unexpected argument '{args[i]}'.");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    options[args[i]] = args[++i];
}

// The repository is looked for only when a default is needed, so explicit paths work from anywhere.
var root = new Lazy<string>(RepositoryRoot.Find);
string PathOf(string option, params string[] defaultUnderRoot) =>
    Path.GetFullPath(options.GetValueOrDefault(option) ?? Path.Combine([root.Value, .. defaultUnderRoot]));

var feedPath = PathOf("--feed", "tools", "PriceCatalogGenerator", "Feed", "data.json");
var unitsPath = PathOf("--units", "tools", "PriceCatalogGenerator", "Feed", "units.yml");
var sourceCommitPath = PathOf("--source-commit-file", "tools", "PriceCatalogGenerator", "Feed", "SOURCE-COMMIT.txt");
var outputPath = PathOf("--out", "src", "AiOrchestrator", "Pricing", "Data", "price-catalog.json");

foreach (var (path, what) in new[] { (feedPath, "feed (--feed)"), (unitsPath, "unit registry (--units)"), (sourceCommitPath, "source commit file (--source-commit-file)") })
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"The {what} was not found: {path}");
        return 1;
    }
}

GeneratedCatalog catalog;
try
{
    catalog = CatalogGenerator.Generate(File.ReadAllBytes(feedPath), File.ReadAllBytes(unitsPath), File.ReadAllText(sourceCommitPath));
}
catch (CatalogValidationException e)
{
    Console.Error.WriteLine($"The price catalog was not written. {e.Message}");
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
File.WriteAllText(outputPath, catalog.Json);
Console.WriteLine($"Wrote {outputPath} (format {CatalogGenerator.FormatVersion}, genai-prices {catalog.Source.Commit} of {catalog.Source.Date}).");
Console.WriteLine($"Summary: {catalog.Summary}.");
return 0;
