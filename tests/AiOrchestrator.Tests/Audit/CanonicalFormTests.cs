using System.Text;
using AiOrchestrator.Audit;

namespace AiOrchestrator.Tests.Audit;

public class CanonicalFormTests
{
    private static readonly AiCallId Call = new(Guid.Parse("0192f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f"));

    private static AuditEntry Full() => new()
    {
        Sequence = 42,
        Time = new DateTimeOffset(2026, 12, 3, 10, 15, 30, TimeSpan.Zero).AddTicks(1234567),
        Kind = AuditEntryKind.Settled,
        CallId = Call,
        Organization = "acme",
        Team = "search \"eu\"",
        User = "zoë\\ü",
        App = "app\u0001",
        Feature = "🙂 chat",
        Provider = "openai",
        Model = "gpt-4o",
        Amount = 0.012300m,
        Currency = "USD",
        Attributes = AuditAttributes.Of(AuditAttributeKey.Rule, "pii.email", AuditAttributeKey.Reason, "redacted 2 values"),
        PreviousHash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
    };

    [Fact]
    public void The_canonical_form_has_fixed_field_order_and_formats()
    {
        Encoding.UTF8.GetString(Full().ToCanonicalJson()).Should().Be(
            "{\"v\":1,\"seq\":42,\"time\":\"2026-12-03T10:15:30.123456Z\",\"kind\":\"settled\",\"call\":\"0192f0c41a2b7c3d8e4f5a6b7c8d9e0f\","
            + "\"org\":\"acme\",\"team\":\"search \\\"eu\\\"\",\"user\":\"zoë\\\\ü\",\"app\":\"app\\u0001\",\"feature\":\"🙂 chat\",\"provider\":\"openai\","
            + "\"model\":\"gpt-4o\",\"amount\":\"0.0123\",\"currency\":\"USD\",\"attrs\":{\"rule\":\"pii.email\",\"reason\":\"redacted 2 values\"},"
            + "\"prev\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"}");
    }

    [Fact]
    public void Deserialise_then_serialise_gives_the_same_bytes()
    {
        var entries = new[]
        {
            Full(),
            new AuditEntry { Sequence = 0, Time = DateTimeOffset.UnixEpoch, Kind = AuditEntryKind.ConfigurationChanged },
            Full() with { Amount = -0.0m, Attributes = default, CallId = default },
            Full() with { Amount = 79228162514264337593543950335m, Kind = AuditEntryKind.WalletAdministration },
            Full() with { Amount = -0.0000000000000000000000000001m, Sequence = long.MaxValue },
        };
        foreach (var entry in entries)
        {
            var bytes = entry.ToCanonicalJson();
            var back = AuditEntry.Parse(bytes);
            back.ToCanonicalJson().Should().Equal(bytes);
            back.Should().Be(entry);
            back.ComputeHash().Should().Equal(entry.ComputeHash());
        }
    }

    [Fact]
    public void Equal_entries_built_differently_serialise_identically()
    {
        var a = Full();
        var b = Full() with
        {
            // The same instant in another offset, the same amount at another scale, the attributes added the other way round.
            Time = a.Time.ToOffset(TimeSpan.FromHours(2)).AddTicks(7),
            Amount = 0.0123m,
            Attributes = AuditAttributes.Of(AuditAttributeKey.Reason, "redacted 2 values").With(AuditAttributeKey.Rule, "pii.email"),
            PreviousHash = a.PreviousHash.ToArray(),
        };

        b.ToCanonicalJson().Should().Equal(a.ToCanonicalJson());
        b.ComputeHash().Should().Equal(a.ComputeHash());
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1.50, "1.5")]
    [InlineData(100, "100")]
    [InlineData(-2.000, "-2")]
    [InlineData(0.0000001, "0.0000001")]
    public void Amounts_are_minimal_invariant_digits_without_exponent(double value, string expected)
    {
        var entry = Full() with { Amount = (decimal)value };
        Encoding.UTF8.GetString(entry.ToCanonicalJson()).Should().Contain($"\"amount\":\"{expected}\"");
    }

    [Fact]
    public void Non_canonical_bytes_are_refused()
    {
        var text = Encoding.UTF8.GetString(Full().ToCanonicalJson());
        (string Find, string Replace, string What)[] changes =
        [
            ("\"v\":1,\"seq\":42", "\"seq\":42,\"v\":1", "field order"),
            ("\"amount\":\"0.0123\"", "\"amount\":\"0.01230\"", "a trailing zero"),
            ("\"amount\":\"0.0123\"", "\"amount\":\"1.23E-2\"", "an exponent"),
            ("0a0b0c", "0A0B0C", "upper-case hex"),
            ("2026-12-03T10:15:30.123456Z", "2026-12-03T11:15:30.123456+01:00", "an offset"),
            ("2026-12-03T10:15:30.123456Z", "2026-12-03T10:15:30.12345Z", "five fractional digits"),
            ("\"org\":\"acme\"", "\"org\":\"acme\",\"prompt\":\"hello\"", "an unknown field"),
            ("{\"v\"", "{ \"v\"", "whitespace"),
            ("\"app\":\"app\\u0001\"", "\"app\":\"app\\u0001\",\"app\":\"x\"", "a repeated field"),
            ("\"kind\":\"settled\"", "\"kind\":\"Settled\"", "a kind in another case"),
        ];
        foreach (var (find, replace, what) in changes)
        {
            var changed = text.Replace(find, replace, StringComparison.Ordinal);
            changed.Should().NotBe(text, what);
            AuditEntry.TryParse(Encoding.UTF8.GetBytes(changed), out _, out var error).Should().BeFalse(what);
            error.Should().NotBeNullOrEmpty();
        }
    }

    [Fact]
    public void Garbage_is_refused_without_throwing()
    {
        foreach (var garbage in new[] { "", "[]", "null", "{\"v\":1", "{\"v\":\"x\"}", "\u00ff\u00fe", "{\"v\":2,\"seq\":0,\"time\":\"x\",\"kind\":\"allowed\",\"prev\":\"\"}" })
        {
            AuditEntry.TryParse(Encoding.UTF8.GetBytes(garbage), out var entry, out var error).Should().BeFalse(garbage);
            entry.Should().BeNull();
            error.Should().NotBeNullOrEmpty();
        }

        FluentActions.Invoking(() => AuditEntry.Parse("{}"u8)).Should().Throw<FormatException>();
    }

    [Fact]
    public void Attributes_cannot_carry_text()
    {
        FluentActions.Invoking(() => AuditAttributes.Of(AuditAttributeKey.Reason, new string('x', AuditAttributes.MaxValueLength + 1)))
            .Should().Throw<ArgumentException>().WithMessage("*never prompt or response text*");
        FluentActions.Invoking(() => AuditAttributes.Of(AuditAttributeKey.Reason, "line one\nline two")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => AuditAttributes.Of((AuditAttributeKey)99, "x")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => AuditAttributes.Of(AuditAttributeKey.Rule, "")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Setting_an_attribute_again_replaces_it()
    {
        var attributes = AuditAttributes.Of(AuditAttributeKey.Rule, "a").With(AuditAttributeKey.Rule, "b").With(AuditAttributeKey.Actor, "ops");
        attributes.Count.Should().Be(2);
        attributes[AuditAttributeKey.Rule].Should().Be("b");
        attributes[AuditAttributeKey.Wallet].Should().BeNull();
        attributes.Should().Be(AuditAttributes.Of(AuditAttributeKey.Actor, "ops", AuditAttributeKey.Rule, "b"));
    }
}
