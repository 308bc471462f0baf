using System.Text;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Tests.Safety;

/// <summary>The scanner: allow and deny lists, custom detectors, overlaps, odd Unicode and hostile input.</summary>
public class ScannerTests
{
    [Fact]
    public void An_allow_listed_value_is_never_reported_but_others_of_its_type_are()
    {
        var options = new SensitiveDataScannerOptions();
        options.AllowList.Add("SUPPORT@example.com");
        var scanner = new SensitiveDataScanner(options);

        var findings = scanner.Scan("Write to support@example.com or to jane@example.com.");

        findings.Should().ContainSingle().Which.Start.Should().Be("Write to support@example.com or to ".Length);
    }

    [Fact]
    public void An_allow_pattern_must_match_the_whole_value()
    {
        var options = new SensitiveDataScannerOptions();
        options.AllowPatterns.Add(@"[a-z.]+@example\.com");
        var scanner = new SensitiveDataScanner(options);

        scanner.Scan("noreply@example.com").Should().BeEmpty();
        scanner.Scan("noreply@example.com.evil.org").Should().ContainSingle();
    }

    [Fact]
    public void Deny_list_terms_are_always_reported_as_whole_words_ignoring_case()
    {
        var options = new SensitiveDataScannerOptions();
        options.DenyList.Add("Project Falcon");
        options.DenyList.Add("Falcon");
        var scanner = new SensitiveDataScanner(options);

        var findings = scanner.Scan("Status of project falcon? Falconry is unrelated. FALCON again.");

        findings.Should().HaveCount(2);
        findings.Should().OnlyContain(f => f.Type == SensitiveDataType.DeniedTerm && f.Confidence == 1.0);
        findings[0].Length.Should().Be("project falcon".Length, "the longest term at a position wins");
    }

    [Fact]
    public void A_custom_detector_adds_its_own_type()
    {
        var scanner = new SensitiveDataScanner(additionalDetectors: [new EmployeeIdDetector()]);

        var finding = scanner.Scan("Ask EMP-004211 about it.").Should().ContainSingle().Subject;

        finding.Type.Name.Should().Be("EMPLOYEE_ID");
        finding.Detector.Should().Be("employee-id");
        finding.Start.Should().Be(4);
    }

    [Fact]
    public void Built_in_detectors_can_be_turned_off()
    {
        var options = new SensitiveDataScannerOptions();
        options.DisabledDetectors.Add("ip-address");

        new SensitiveDataScanner(options).Scan($"host {SampleValues.Ipv4}").Should().BeEmpty();
    }

    [Fact]
    public void Overlapping_findings_resolve_to_the_longer_then_the_more_certain()
    {
        var findings = new List<SensitiveDataFinding>
        {
            new(10, 5, SensitiveDataType.Phone, 0.6, "b"),
            new(8, 12, SensitiveDataType.CreditCard, 0.9, "a"),
            new(30, 4, SensitiveDataType.Phone, 0.6, "b"),
            new(30, 4, SensitiveDataType.UsSocialSecurityNumber, 0.9, "c"),
            new(40, 3, SensitiveDataType.Email, 0.7, "z"),
            new(40, 3, SensitiveDataType.Iban, 0.7, "y"),
        };

        SensitiveDataScanner.ResolveOverlaps(findings);

        findings.Select(f => f.Type.Name).Should().Equal("CREDIT_CARD", "US_SSN", "EMAIL");
    }

    [Fact]
    public void Overlap_resolution_does_not_depend_on_detector_order()
    {
        var a = new CannedDetector("a", new SensitiveDataFinding(0, 6, SensitiveDataType.Phone, 0.7, "a"));
        var b = new CannedDetector("b", new SensitiveDataFinding(2, 6, SensitiveDataType.Phone, 0.7, "b"));
        var options = new SensitiveDataScannerOptions();
        foreach (var name in new[] { "email", "phone", "payment-card", "iban", "us-ssn", "ip-address", "api-key", "token", "private-key", "password" })
        {
            options.DisabledDetectors.Add(name);
        }

        var first = new SensitiveDataScanner(options, [a, b]).Scan("abcdefghij");
        var second = new SensitiveDataScanner(options, [b, a]).Scan("abcdefghij");

        first.Should().Equal(second);
        first.Should().ContainSingle().Which.Start.Should().Be(0);
    }

    [Fact]
    public void Zero_width_and_bidi_characters_inside_a_value_do_not_hide_it_and_the_span_covers_them()
    {
        var text = "mail jane\u200B.doe@exam\u200Dple.org\u200F now";

        var finding = Scanner().Scan(text).Should().ContainSingle().Subject;

        finding.Type.Should().Be(SensitiveDataType.Email);
        text.Substring(finding.Start, finding.Length).Should().Be("jane\u200B.doe@exam\u200Dple.org");
    }

    [Fact]
    public void Fullwidth_digits_are_read_as_digits()
    {
        var text = "card ４１１１ １１１１ １１１１ １１１１ ok";

        var finding = Scanner().Scan(text).Should().ContainSingle().Subject;

        finding.Type.Should().Be(SensitiveDataType.CreditCard);
        text.Substring(finding.Start, finding.Length).Should().Be("４１１１ １１１１ １１１１ １１１１");
    }

    [Fact]
    public void A_homoglyph_spelling_is_not_folded_into_the_value()
    {
        // Cyrillic 'е' in the domain: the address as written is not the Latin one, and no ASCII domain label remains.
        Scanner().Scan("ask jane@еxample.оrg").Should().NotContain(f => f.Type == SensitiveDataType.Email && f.Length > 20);
    }

    [Fact]
    public void Several_megabytes_of_text_with_values_spread_through_it_are_scanned()
    {
        var sb = new StringBuilder();
        var line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit 12 34. ";
        while (sb.Length < 4_000_000)
        {
            sb.Append(line);
        }

        sb.Insert(1_000_000, $" {SampleValues.Email} ").Insert(3_000_000, $" {SampleValues.Visa} ");

        var findings = Scanner().Scan(sb.ToString());

        findings.Select(f => f.Type).Should().Equal(SensitiveDataType.Email, SensitiveDataType.CreditCard);
    }

    [Fact]
    public void Pathological_runs_that_tempt_backtracking_finish()
    {
        var inputs = new[]
        {
            new string('a', 200_000) + "@",
            string.Concat(Enumerable.Repeat("1 ", 200_000)),
            string.Concat(Enumerable.Repeat("1.", 200_000)),
            string.Concat(Enumerable.Repeat("a:", 200_000)),
            "-----BEGIN PRIVATE KEY-----" + new string('A', 300_000),
            string.Concat(Enumerable.Repeat("eyJ", 100_000)),
            "password=" + new string('x', 100_000),
            string.Concat(Enumerable.Repeat("x@y.", 100_000)),
        };

        foreach (var input in inputs)
        {
            var findings = new List<SensitiveDataFinding>();
            Scanner().Scan(input.AsSpan(), findings, out var complete);
            findings.Should().NotContain(f => f.Start < 0 || f.End > input.Length);
            _ = complete;
        }
    }

    [Fact]
    public void Binary_noise_and_lone_surrogates_do_not_throw()
    {
        var random = new Random(12345);
        var chars = new char[1 << 20];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0, 0x10000);
        }

        var text = new string(chars);

        var findings = Scanner().Scan(text);

        findings.Should().NotContain(f => f.Start < 0 || f.End > text.Length);
        findings.Count.Should().BeLessThan(1000, "random UTF-16 is almost never a value");
    }

    [Fact]
    public void A_clean_prompt_fails_the_cheap_gate_and_yields_nothing()
    {
        const string Clean = "Please summarise the attached meeting notes in three bullet points, in a friendly tone.";

        Scanner().MayContainSensitiveData(Clean).Should().BeFalse();
        Scanner().Scan(Clean).Should().BeEmpty();
    }

    private static SensitiveDataScanner Scanner() => SensitiveDataScanner.Default;

    private sealed class EmployeeIdDetector : ISensitiveDataDetector
    {
        public string Name => "employee-id";

        public bool MayContain(ReadOnlySpan<char> text) => text.Contains("EMP-", StringComparison.Ordinal);

        public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
        {
            var at = text.IndexOf("EMP-", StringComparison.Ordinal);
            if (at >= 0 && at + 10 <= text.Length)
            {
                findings.Add(new SensitiveDataFinding(at, 10, new SensitiveDataType("EMPLOYEE_ID"), 0.9, Name));
            }
        }
    }

    private sealed class CannedDetector(string name, SensitiveDataFinding finding) : ISensitiveDataDetector
    {
        public string Name => name;

        public bool MayContain(ReadOnlySpan<char> text) => true;

        public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings) => findings.Add(finding);
    }
}
