using System.Text;

namespace PriceCatalogGenerator.Tests;

/// <summary>The repository the tests run in, found by walking up to AiOrchestrator.sln, and its committed generator input.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string FeedFolder => Path.Combine(Root, "tools", "PriceCatalogGenerator", "Feed");

    public static string CatalogPath => Path.Combine(Root, "src", "AiOrchestrator", "Pricing", "Data", "price-catalog.json");

    public static byte[] Feed => File.ReadAllBytes(Path.Combine(FeedFolder, "data.json"));

    public static byte[] Units => File.ReadAllBytes(Path.Combine(FeedFolder, "units.yml"));

    public static string SourceCommit => File.ReadAllText(Path.Combine(FeedFolder, "SOURCE-COMMIT.txt"));

    public const string TestSourceCommit = "0123456789abcdef0123456789abcdef01234567 (2026-01-02): prices/new_data/v2/data.json, prices/units.yml";

    /// <summary>Generates from the committed Feed/ folder.</summary>
    public static GeneratedCatalog GenerateShipped() => CatalogGenerator.Generate(Feed, Units, SourceCommit);

    /// <summary>Generates from a hand-written feed, with the committed unit registry unless another is given.</summary>
    public static GeneratedCatalog Generate(string feedJson, string? unitsYaml = null) =>
        CatalogGenerator.Generate(Encoding.UTF8.GetBytes(feedJson), unitsYaml is null ? Units : Encoding.UTF8.GetBytes(unitsYaml), TestSourceCommit);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiOrchestrator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AiOrchestrator.sln above {AppContext.BaseDirectory}.");
    }
}
