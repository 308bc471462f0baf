// Refreshes the price catalog that ships inside the AiOrchestrator package.
//
// Usage (from the repository root):
//   dotnet run --project tools/PriceCatalogGenerator -- [path/to/genai-prices-data.json] [--out path/to/price-catalog.json]
//
// The source defaults to ../shared/data/prices/genai-prices-data.json relative to the repository root, and the
// output to src/AiOrchestrator/Pricing/Data/price-catalog.json. The source commit is read from SOURCE-COMMIT.txt
// next to the source file ("<commit> <date>") and recorded in the catalog.
using PriceCatalogGenerator;

string? sourcePath = null;
string? outputPath = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--out" or "-o" && i + 1 < args.Length)
    {
        outputPath = args[++i];
    }
    else if (args[i] is "--help" or "-h")
    {
        Console.WriteLine("Usage: PriceCatalogGenerator [genai-prices-data.json] [--out price-catalog.json]");
        return 0;
    }
    else
    {
        sourcePath = args[i];
    }
}

var root = RepositoryRoot.Find();
sourcePath = Path.GetFullPath(sourcePath ?? Path.Combine(root, "..", "shared", "data", "prices", "genai-prices-data.json"));
outputPath = Path.GetFullPath(outputPath ?? Path.Combine(root, "src", "AiOrchestrator", "Pricing", "Data", "price-catalog.json"));

if (!File.Exists(sourcePath))
{
    Console.Error.WriteLine($"Source file not found: {sourcePath}. Pass the path of genai-prices-data.json as the first argument.");
    return 1;
}

var source = SourceInfo.Read(sourcePath);
var result = CatalogConverter.Convert(File.ReadAllBytes(sourcePath), source);
Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
File.WriteAllText(outputPath, result.Json);
Console.WriteLine($"Wrote {outputPath}: {result.Providers} providers, {result.Models} models, {result.Derived1hPrices} derived 1-hour cache-write prices, source commit {source.Commit}.");
return 0;
