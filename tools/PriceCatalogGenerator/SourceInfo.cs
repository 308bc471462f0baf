namespace PriceCatalogGenerator;

/// <summary>Where the source data came from: read from SOURCE-COMMIT.txt ("&lt;commit&gt; &lt;date&gt;") beside it.</summary>
internal sealed record SourceInfo(string Commit, string? Date)
{
    public const string Repository = "https://github.com/pydantic/genai-prices";

    public static SourceInfo Read(string sourcePath)
    {
        var file = Path.Combine(Path.GetDirectoryName(sourcePath)!, "SOURCE-COMMIT.txt");
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"{file} is missing; it must hold the genai-prices commit the data came from, as '<commit> <date>'.");
        }

        var parts = File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0].Length != 40)
        {
            throw new InvalidOperationException($"{file} must start with the 40-character genai-prices commit hash.");
        }

        return new SourceInfo(parts[0], parts.Length > 1 ? parts[1] : null);
    }
}
