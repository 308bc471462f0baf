using System.Text;
using AiOrchestrator.Safety;
using BenchmarkDotNet.Attributes;

namespace AiOrchestrator.Benchmarks;

/// <summary>
/// The safety engine: every detector over a clean 1 KB prompt (the gated path), over a 1 KB prompt full of values,
/// over 1 MB of clean text (throughput), and the injection heuristic on 1 KB.
/// </summary>
[MemoryDiagnoser]
public class SafetyBenchmarks
{
    private readonly SensitiveDataScanner _scanner = SensitiveDataScanner.Default;
    private readonly List<SensitiveDataFinding> _findings = new(64);
    private string _clean1Kb = null!;
    private string _cleanWithNumbers1Kb = null!;
    private string _full1Kb = null!;
    private string _clean1Mb = null!;

    [GlobalSetup]
    public void Setup()
    {
        _clean1Kb = BenchmarkText.Prompt1Kb;
        _cleanWithNumbers1Kb = Fill("In 2025 the 3 teams shipped version 10.2 to 14 regions; costs fell 12% (see ticket 4471, section 2.3). ", 1024);
        _full1Kb = Fill(
            "Contact jane.doe@example.org or +44 20 7946 0958, card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, "
            + "SSN 123-45-6789, host 192.168.14.20, key " + "sk-" + "proj-Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3" + ", Password=S3cr3t!x; ",
            1024);
        _clean1Mb = Fill(BenchmarkText.Prompt1Kb, 1 << 20);
        if (_scanner.Scan(_clean1Kb).Count != 0 || _scanner.Scan(_cleanWithNumbers1Kb).Count != 0 || _scanner.Scan(_full1Kb).Count < 20)
        {
            throw new InvalidOperationException("The benchmark texts do not hold what they should.");
        }
    }

    [Benchmark(Description = "scan, clean 1 KB prompt")]
    public int ScanClean()
    {
        _findings.Clear();
        return _scanner.Scan(_clean1Kb.AsSpan(), _findings);
    }

    [Benchmark(Description = "scan, clean 1 KB prompt with numbers")]
    public int ScanCleanWithNumbers()
    {
        _findings.Clear();
        return _scanner.Scan(_cleanWithNumbers1Kb.AsSpan(), _findings);
    }

    [Benchmark(Description = "scan, 1 KB full of values")]
    public int ScanFull()
    {
        _findings.Clear();
        return _scanner.Scan(_full1Kb.AsSpan(), _findings);
    }

    [Benchmark(Description = "scan, 1 MB clean text")]
    public int ScanClean1Mb()
    {
        _findings.Clear();
        return _scanner.Scan(_clean1Mb.AsSpan(), _findings);
    }

    [Benchmark(Description = "redact and restore, 1 KB full of values")]
    public int RedactRestore()
    {
        var session = new RedactionSession();
        var redacted = session.Redact(_full1Kb, _scanner.Scan(_full1Kb));
        return session.Restore(redacted).Length;
    }

    [Benchmark(Description = "injection heuristic, 1 KB prompt")]
    public double Injection() => HeuristicPromptInjectionDetector.Instance.Assess(_clean1Kb).Score;

    private static string Fill(string unit, int length)
    {
        var sb = new StringBuilder(length + unit.Length);
        while (sb.Length < length)
        {
            sb.Append(unit);
        }

        return sb.ToString(0, length);
    }
}
