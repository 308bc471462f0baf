using AiOrchestrator.Safety;
using FsCheck.Xunit;

namespace AiOrchestrator.Tests.Safety;

/// <summary>Whatever text surrounds the values, redacting then restoring gives the text back, and no value survives redaction.</summary>
public class RedactionPropertyTests
{
    private static readonly string[] Values = [SampleValues.Email, SampleValues.Visa, SampleValues.Iban, SampleValues.Ssn, SampleValues.Ipv4, SampleValues.OpenAiKey];

    [Property(MaxTest = 300)]
    public void Restore_undoes_redact(string? before, string? between, string? after, byte pick)
    {
        var first = Values[pick % Values.Length];
        var second = Values[(pick / 7) % Values.Length];
        var text = $"{before} {first} {between} {second} {after}";
        var session = new RedactionSession([text]);

        var redacted = session.Redact(text, SensitiveDataScanner.Default.Scan(text));

        session.Restore(redacted).Should().Be(text);
        redacted.Should().NotContain(first).And.NotContain(second);
    }

    [Property(MaxTest = 200)]
    public void A_streamed_restore_equals_the_whole_restore_for_any_split(string? noise, byte cut1, byte cut2)
    {
        var session = new RedactionSession();
        var a = session.PlaceholderFor(SensitiveDataType.Email, SampleValues.Email);
        var b = session.PlaceholderFor(SensitiveDataType.Iban, SampleValues.Iban);
        var answer = $"{noise}{a}[{noise}]{b}{a}";
        var i = Math.Min(cut1, answer.Length);
        var j = Math.Min(i + cut2, answer.Length);
        var restorer = session.CreateStreamingRestorer();

        var streamed = restorer.Append(answer[..i]) + restorer.Append(answer[i..j]) + restorer.Append(answer[j..]) + restorer.Flush();

        streamed.Should().Be(session.Restore(answer));
    }
}
