namespace PriceCatalogGenerator;

/// <summary>Finds the repository root: the nearest folder holding AiOrchestrator.sln.</summary>
internal static class RepositoryRoot
{
    public static string Find()
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

        throw new InvalidOperationException("Could not find AiOrchestrator.sln above the current directory; run the generator from inside the repository.");
    }
}
