using System.Text.RegularExpressions;

namespace AiOrchestrator.Tests.Docs;

/// <summary>
/// The code on the docs pages is the code in samples/DocSnippets, which the build compiles; this keeps them the same.
/// After editing either, run <c>python3 eng/render-doc-snippets.py .</c>.
/// </summary>
public partial class DocSnippetTests
{
    [GeneratedRegex(@"#region (\S+)\n(.*?)\n[ \t]*#endregion", RegexOptions.Singleline)]
    private static partial Regex Region();

    [GeneratedRegex(@"<!-- snippet: (\S+) -->\n```csharp\n((?:(?!```)[^\n]*\n)*)```")]
    private static partial Regex Marker();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiOrchestrator.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (with AiOrchestrator.sln) was not found above the test assembly.");
    }

    private static string Dedent(string code)
    {
        var lines = code.Replace("\r\n", "\n").Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Trim('\n');
    }

    [Fact]
    public void Every_snippet_on_a_docs_page_is_the_compiled_code()
    {
        var root = RepoRoot();
        var regions = Directory.GetFiles(Path.Combine(root, "samples", "DocSnippets"), "*.cs")
            .SelectMany(f => Region().Matches(File.ReadAllText(f).Replace("\r\n", "\n")))
            .ToDictionary(m => m.Groups[1].Value, m => Dedent(m.Groups[2].Value));

        var markers = Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .SelectMany(f => Marker().Matches(File.ReadAllText(f).Replace("\r\n", "\n")).Select(m => (File: Path.GetFileName(f), Name: m.Groups[1].Value, Code: m.Groups[2].Value.TrimEnd('\n'))))
            .ToList();

        markers.Should().NotBeEmpty();
        foreach (var (file, name, code) in markers)
        {
            regions.Should().ContainKey(name, $"{file} shows snippet '{name}', which samples/DocSnippets must define");
            code.Should().Be(regions[name], $"{file}'s snippet '{name}' must match samples/DocSnippets (run eng/render-doc-snippets.py)");
        }
    }
}
