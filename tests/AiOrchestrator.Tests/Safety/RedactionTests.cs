using System.Text.Json;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Tests.Safety;

/// <summary>Placeholders go out, original values come back: whole texts, streams split anywhere, and JSON.</summary>
public class RedactionTests
{
    private static (string Redacted, RedactionSession Session) Redact(string text, IEnumerable<string>? callTexts = null)
    {
        var session = new RedactionSession(callTexts ?? [text]);
        return (session.Redact(text, SensitiveDataScanner.Default.Scan(text)), session);
    }

    [Fact]
    public void Values_are_replaced_and_restored_and_the_same_value_gets_the_same_placeholder()
    {
        var text = $"Mail {SampleValues.Email}, then {SampleValues.Email} again, card {SampleValues.Visa}, or bob@example.net.";

        var (redacted, session) = Redact(text);

        redacted.Should().Be("Mail [EMAIL_1], then [EMAIL_1] again, card [CREDIT_CARD_1], or [EMAIL_2].");
        session.Count.Should().Be(3);
        session.Restore(redacted).Should().Be(text);
        session.ToString().Should().NotContain("@");
    }

    [Fact]
    public void Placeholders_the_model_repeats_or_reorders_are_all_restored()
    {
        var (_, session) = Redact($"a {SampleValues.Email} b {SampleValues.Ssn}");

        session.Restore("[US_SSN_1] belongs to [EMAIL_1]; [EMAIL_1] confirmed. [EMAIL_9] is unknown.")
            .Should().Be($"{SampleValues.Ssn} belongs to {SampleValues.Email}; {SampleValues.Email} confirmed. [EMAIL_9] is unknown.");
    }

    [Fact]
    public void A_placeholder_typed_by_the_user_is_not_rewritten_on_restore()
    {
        var text = $"Template uses [EMAIL_1] literally; my address is {SampleValues.Email}.";

        var (redacted, session) = Redact(text);

        session.UsesNonce.Should().BeTrue();
        redacted.Should().StartWith("Template uses [EMAIL_1] literally; my address is [EMAIL_1_");
        var answer = "You wrote [EMAIL_1] in the template. " + redacted[(redacted.IndexOf("is ", StringComparison.Ordinal) + 3)..];
        session.Restore(answer).Should().Be($"You wrote [EMAIL_1] in the template. {SampleValues.Email}.");
    }

    [Fact]
    public void A_streamed_answer_is_restored_whatever_the_chunk_boundaries()
    {
        var text = $"To {SampleValues.Email} and {SampleValues.Iban}.";
        var (redacted, session) = Redact(text);
        var answer = $"Sent [to] {redacted} [EMAIL_1]!";
        var expected = session.Restore(answer);

        for (var split = 0; split <= answer.Length; split++)
        {
            for (var second = split; second <= answer.Length; second += 7)
            {
                var restorer = session.CreateStreamingRestorer();
                var output = restorer.Append(answer[..split]) + restorer.Append(answer[split..second]) + restorer.Append(answer[second..]) + restorer.Flush();
                output.Should().Be(expected, "split at {0} and {1}", split, second);
            }
        }
    }

    [Fact]
    public void A_stream_restored_one_character_at_a_time_holds_back_only_a_possible_placeholder()
    {
        var (redacted, session) = Redact($"x {SampleValues.Email}");
        var restorer = session.CreateStreamingRestorer();
        var emitted = new List<string>();

        foreach (var c in "Hi [there] " + redacted)
        {
            emitted.Add(restorer.Append(c.ToString()));
        }

        emitted.Add(restorer.Flush());
        string.Concat(emitted).Should().Be($"Hi [there] x {SampleValues.Email}");
        emitted[3].Should().BeEmpty("'[' may start a placeholder");
        emitted[4].Should().Be("[t", "'[t' cannot start one, so it is released");
    }

    [Fact]
    public void A_stream_that_ends_inside_a_placeholder_prefix_gives_it_back_on_flush()
    {
        var (_, session) = Redact($"x {SampleValues.Email}");
        var restorer = session.CreateStreamingRestorer();

        (restorer.Append("see [EMAI") + restorer.Flush()).Should().Be("see [EMAI");
    }

    [Theory]
    [InlineData("quote\"d")]
    [InlineData("back\\slash")]
    [InlineData("new\nline and \t tab")]
    public void Json_tool_arguments_get_escaped_values_and_stay_valid(string password)
    {
        var text = $"Server=db;Password={password.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)};";
        var session = new RedactionSession([text]);
        var placeholder = session.PlaceholderFor(SensitiveDataType.Password, password);
        var arguments = JsonSerializer.Serialize(new { connection = $"Server=db;Password={placeholder};", note = "ok" });

        var restored = session.RestoreJson(arguments);

        using var doc = JsonDocument.Parse(restored);
        doc.RootElement.GetProperty("connection").GetString().Should().Be($"Server=db;Password={password};");
        doc.RootElement.GetProperty("note").GetString().Should().Be("ok");
    }

    [Fact]
    public void A_streamed_json_answer_is_restored_with_escaping_across_chunks()
    {
        var session = new RedactionSession();
        var placeholder = session.PlaceholderFor(SensitiveDataType.Email, "a\"b@example.com");
        var json = $"{{\"to\":\"{placeholder}\"}}";

        for (var split = 0; split <= json.Length; split++)
        {
            var restorer = session.CreateStreamingRestorer(json: true);
            var output = restorer.Append(json[..split]) + restorer.Append(json[split..]) + restorer.Flush();
            JsonDocument.Parse(output).RootElement.GetProperty("to").GetString().Should().Be("a\"b@example.com");
        }
    }

    [Fact]
    public void Malformed_json_is_restored_as_text_without_throwing()
    {
        var session = new RedactionSession();
        var placeholder = session.PlaceholderFor(SensitiveDataType.Email, SampleValues.Email);

        session.RestoreJson("{\"to\": \"" + placeholder + "\", oops").Should().Be("{\"to\": \"" + SampleValues.Email + "\", oops");
    }

    [Fact]
    public void Findings_that_overlap_or_leave_the_text_are_refused()
    {
        var session = new RedactionSession();
        var overlapping = new[] { new SensitiveDataFinding(0, 4, SensitiveDataType.Email, 1, "t"), new SensitiveDataFinding(2, 4, SensitiveDataType.Email, 1, "t") };

        var act = () => session.Redact("abcdefgh", overlapping);

        act.Should().Throw<ArgumentException>();
    }
}
