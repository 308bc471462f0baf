using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>
/// Runs every detector over a text and returns the sensitive values in it, one finding per character range: where two
/// findings overlap, the longer wins, then the more certain, then the earlier, then the one whose type and detector
/// names sort first, so the result never depends on detector order or timing. Thread-safe; build one and share it.
/// </summary>
/// <remarks>
/// Each detector runs only when its cheap trigger (an <c>@</c>, a digit, a key prefix...) is in the text, so a clean
/// prompt costs a few vectorised searches and allocates nothing. Text with invisible or fullwidth characters is folded
/// first (see docs/safety.md); spans always refer to the text as given.
/// </remarks>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public sealed class SensitiveDataScanner
{
    [ThreadStatic]
    private static List<SensitiveDataFinding>? t_candidates;

    [ThreadStatic]
    private static DigitRuns? t_runs;

    private readonly ISensitiveDataDetector[] _detectors;
    private readonly HashSet<string> _allowed;
    private readonly Regex[] _allowPatterns;
    private readonly double _minimumConfidence;

    /// <summary>Creates a scanner with the built-in detectors (less those <paramref name="options"/> turns off) and <paramref name="additionalDetectors"/>.</summary>
    /// <exception cref="ArgumentException">An allow pattern is not a valid regular expression.</exception>
    public SensitiveDataScanner(SensitiveDataScannerOptions? options = null, IEnumerable<ISensitiveDataDetector>? additionalDetectors = null)
    {
        options ??= new SensitiveDataScannerOptions();
        var regions = options.PhoneRegions.Count == 0 ? (IReadOnlyList<string>)["US"] : options.PhoneRegions.Select(r => r.Trim().ToUpperInvariant()).ToArray();
        var detectors = new List<ISensitiveDataDetector>
        {
            new EmailDetector(), new PhoneNumberDetector(regions), new PaymentCardDetector(), new IbanDetector(),
            new UsSocialSecurityNumberDetector(), new IpAddressDetector(), new ApiKeyDetector(), new TokenDetector(),
            new PrivateKeyDetector(), new PasswordDetector(),
        };
        detectors.RemoveAll(d => options.DisabledDetectors.Contains(d.Name, StringComparer.OrdinalIgnoreCase));
        if (options.DenyList.Count > 0)
        {
            detectors.Add(new DenyListDetector(options.DenyList));
        }

        if (additionalDetectors is not null)
        {
            detectors.AddRange(additionalDetectors);
        }

        _detectors = detectors.ToArray();
        _allowed = new HashSet<string>(options.AllowList.Where(v => !string.IsNullOrEmpty(v)), StringComparer.OrdinalIgnoreCase);
        _allowPatterns = options.AllowPatterns.Where(p => !string.IsNullOrEmpty(p))
            .Select(p => new Regex(@"\A(?:" + p + @")\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromMilliseconds(100)))
            .ToArray();
        _minimumConfidence = options.MinimumConfidence;
    }

    /// <summary>A scanner with the built-in detectors and default options.</summary>
    public static SensitiveDataScanner Default { get; } = new();

    /// <summary>The detectors this scanner runs, built-in ones first.</summary>
    public IReadOnlyList<ISensitiveDataDetector> Detectors => _detectors;

    /// <summary>Whether any detector's trigger is in <paramref name="text"/> (false means <see cref="Scan(string)"/> would find nothing).</summary>
    public bool MayContainSensitiveData(ReadOnlySpan<char> text)
    {
        foreach (var detector in _detectors)
        {
            if (detector.MayContain(text))
            {
                return true;
            }
        }

        return TextNormalization.NeedsFolding(text);
    }

    /// <summary>The sensitive values in <paramref name="text"/>, without overlaps, in text order.</summary>
    public IReadOnlyList<SensitiveDataFinding> Scan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var results = new List<SensitiveDataFinding>();
        Scan(text.AsSpan(), results, out _);
        return results.Count == 0 ? [] : results;
    }

    /// <summary>
    /// Adds the sensitive values in <paramref name="text"/> (without overlaps, in text order) to
    /// <paramref name="findings"/> and returns how many it added. Allocates nothing when the text is clean.
    /// </summary>
    public int Scan(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => Scan(text, findings, out _);

    /// <summary>
    /// As <see cref="Scan(ReadOnlySpan{char}, ICollection{SensitiveDataFinding})"/>; <paramref name="complete"/> is
    /// false when a detector ran out of time (a regular expression hit its timeout) and the text may hold more.
    /// </summary>
    public int Scan(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings, out bool complete)
    {
        ArgumentNullException.ThrowIfNull(findings);
        complete = true;
        if (text.IsEmpty)
        {
            return 0;
        }

        if (!TextNormalization.NeedsFolding(text))
        {
            return ScanCore(text, null, findings, ref complete);
        }

        var folded = ArrayPool<char>.Shared.Rent(text.Length);
        var map = ArrayPool<int>.Shared.Rent(text.Length);
        try
        {
            var n = TextNormalization.Fold(text, folded, map);
            return ScanCore(folded.AsSpan(0, n), map, findings, ref complete);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(folded);
            ArrayPool<int>.Shared.Return(map);
        }
    }

    private int ScanCore(ReadOnlySpan<char> text, int[]? map, ICollection<SensitiveDataFinding> findings, ref bool complete)
    {
        List<SensitiveDataFinding>? candidates = null;
        DigitRuns? runs = null;
        try
        {
            foreach (var detector in _detectors)
            {
                if (!detector.MayContain(text))
                {
                    continue;
                }

                candidates ??= Rent();
                try
                {
                    if (detector is IDigitRunDetector numeric)
                    {
                        // The digit runs are found once for all numeric detectors.
                        if (runs is null)
                        {
                            runs = t_runs ?? new DigitRuns();
                            t_runs = null;
                            runs.Collect(text);
                        }

                        numeric.Detect(text, runs, candidates);
                    }
                    else
                    {
                        detector.Detect(text, candidates);
                    }
                }
                catch (RegexMatchTimeoutException)
                {
                    complete = false;
                }
            }

            if (candidates is null || candidates.Count == 0)
            {
                return 0;
            }

            Filter(text, candidates);
            ResolveOverlaps(candidates);
            foreach (var f in candidates)
            {
                findings.Add(map is null ? f : f with { Start = map[f.Start], Length = map[f.End - 1] + 1 - map[f.Start] });
            }

            return candidates.Count;
        }
        finally
        {
            if (candidates is not null)
            {
                candidates.Clear();
                t_candidates = candidates;
            }

            if (runs is not null)
            {
                runs.Clear();
                t_runs = runs;
            }
        }
    }

    private static List<SensitiveDataFinding> Rent()
    {
        var list = t_candidates ?? new List<SensitiveDataFinding>();
        t_candidates = null; // a detector that scans again on this thread gets its own list
        return list;
    }

    private void Filter(ReadOnlySpan<char> text, List<SensitiveDataFinding> candidates)
    {
        for (var i = candidates.Count - 1; i >= 0; i--)
        {
            var f = candidates[i];
            if (f.Length <= 0 || f.Start < 0 || f.End > text.Length || f.Confidence < _minimumConfidence || IsAllowed(text.Slice(f.Start, f.Length)))
            {
                candidates.RemoveAt(i);
            }
        }
    }

    private bool IsAllowed(ReadOnlySpan<char> value)
    {
        if (_allowed.Count == 0 && _allowPatterns.Length == 0)
        {
            return false;
        }

        if (_allowed.Count > 0 && _allowed.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
        {
            return true;
        }

        foreach (var pattern in _allowPatterns)
        {
            try
            {
                if (pattern.IsMatch(value))
                {
                    return true;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // A pattern too slow for this value does not allow it: the value stays reported.
            }
        }

        return false;
    }

    /// <summary>
    /// Sorts by start and keeps a finding only if it beats (longer, then more certain, then by type and detector name)
    /// every finding already kept that it overlaps, which it then replaces. Deterministic whatever the detector order.
    /// </summary>
    internal static void ResolveOverlaps(List<SensitiveDataFinding> findings)
    {
        if (findings.Count < 2)
        {
            return;
        }

        // Each detector reports in text order, but the list holds one detector's findings after another's.
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(findings);
        for (var i = 1; i < span.Length; i++)
        {
            if (CompareStart(span[i - 1], span[i]) > 0)
            {
                SortByStart(span);
                break;
            }
        }

        var kept = 0;
        for (var i = 0; i < span.Length; i++)
        {
            var candidate = span[i];

            // The kept findings that overlap the candidate are a suffix of the kept ones (they do not overlap each other).
            var first = kept;
            while (first > 0 && span[first - 1].End > candidate.Start)
            {
                first--;
            }

            var wins = true;
            for (var k = first; k < kept && wins; k++)
            {
                wins = ComparePriority(candidate, span[k]) < 0;
            }

            if (wins)
            {
                span[first] = candidate;
                kept = first + 1;
            }
        }

        findings.RemoveRange(kept, findings.Count - kept);
    }

    /// <summary>
    /// Sorts by <see cref="CompareStart"/>: the starts (with each finding's index) are sorted as numbers, which is
    /// several times faster than sorting the 32-byte findings with a comparer, then findings with equal starts are
    /// put in order by priority.
    /// </summary>
    private static void SortByStart(Span<SensitiveDataFinding> span)
    {
        var n = span.Length;
        long[]? rentedKeys = null;
        var keys = n <= 256 ? stackalloc long[n] : (rentedKeys = ArrayPool<long>.Shared.Rent(n)).AsSpan(0, n);
        var sorted = ArrayPool<SensitiveDataFinding>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                keys[i] = ((long)span[i].Start << 32) | (uint)i;
            }

            keys.Sort();
            for (var i = 0; i < n; i++)
            {
                sorted[i] = span[(int)(keys[i] & 0xFFFFFFFF)];
            }

            // Equal starts: by priority (an insertion sort; such groups are small).
            for (var i = 1; i < n; i++)
            {
                var item = sorted[i];
                var j = i - 1;
                while (j >= 0 && sorted[j].Start == item.Start && ComparePriority(sorted[j], item) > 0)
                {
                    sorted[j + 1] = sorted[j];
                    j--;
                }

                sorted[j + 1] = item;
            }

            sorted.AsSpan(0, n).CopyTo(span);
        }
        finally
        {
            ArrayPool<SensitiveDataFinding>.Shared.Return(sorted, clearArray: true);
            if (rentedKeys is not null)
            {
                ArrayPool<long>.Shared.Return(rentedKeys);
            }
        }
    }

    private static int CompareStart(in SensitiveDataFinding a, in SensitiveDataFinding b)
    {
        var c = a.Start.CompareTo(b.Start);
        return c != 0 ? c : ComparePriority(a, b);
    }

    private static int ComparePriority(in SensitiveDataFinding a, in SensitiveDataFinding b)
    {
        var c = b.Length.CompareTo(a.Length);
        if (c == 0)
        {
            c = b.Confidence.CompareTo(a.Confidence);
        }

        if (c == 0)
        {
            c = a.Start.CompareTo(b.Start);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Type.Name, b.Type.Name);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Detector, b.Detector);
    }
}
