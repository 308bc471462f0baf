using System.Runtime.CompilerServices;
using System.Text;
using AiOrchestrator.Safety;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Safety;

#pragma warning disable AIOEXP001

/// <summary>
/// The output policy on streamed answers (<see cref="SafetyGuard.CreateStreamingOutput"/>): what the model writes
/// itself is filtered chunk by chunk as a buffered answer would be, whatever the chunk boundaries.
/// </summary>
public class StreamingOutputTests
{
    private static readonly AiScope Acme = new() { Organization = "acme" };

    private static string Answer() =>
        $"Sure. Use the key {SampleValues.OpenAiKey} for the build, and the token {SampleValues.GitHubToken} for "
        + $"the push. Mail {SampleValues.Email} if card {SampleValues.Visa} fails; the SSN on file is {SampleValues.Ssn}. "
        + "That is all; nothing else in this answer is sensitive, not even 2024-05-01 or version 1.2.3.";

    private static (string Text, Exception? Error) Stream(StreamingRestorer restorer, string text, Func<int> nextSize)
    {
        var given = new StringBuilder();
        try
        {
            for (var i = 0; i < text.Length;)
            {
                var size = Math.Min(nextSize(), text.Length - i);
                given.Append(restorer.Append(text.Substring(i, size)));
                i += size;
            }

            given.Append(restorer.Flush());
            return (given.ToString(), null);
        }
        catch (SafetyPolicyViolationException ex)
        {
            return (given.ToString(), ex);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(4096)]
    public void A_streamed_answer_is_filtered_exactly_as_the_same_answer_buffered(int chunk)
    {
        using var guard = new SafetyGuard(new SafetyOptions { OutputPersonalData = SafetyAction.Redact });
        var session = new RedactionSession();
        var buffered = guard.CheckOutput(Answer(), session, Acme).Text;

        var (streamed, error) = Stream(guard.CreateStreamingOutput(session, Acme), Answer(), () => chunk);

        error.Should().BeNull();
        streamed.Should().Be(buffered);
        streamed.Should().NotContain(SampleValues.OpenAiKey).And.NotContain(SampleValues.GitHubToken)
            .And.NotContain(SampleValues.Email).And.NotContain(SampleValues.Visa).And.NotContain(SampleValues.Ssn);
        streamed.Should().Contain("[REDACTED_").And.EndWith("version 1.2.3.");
    }

    [Fact]
    public void Random_chunk_boundaries_never_let_a_value_through()
    {
        using var guard = new SafetyGuard(new SafetyOptions { OutputPersonalData = SafetyAction.Redact });
        var session = new RedactionSession();
        var buffered = guard.CheckOutput(Answer(), session, Acme).Text;
        var random = new Random(20261203);

        for (var run = 0; run < 200; run++)
        {
            var (streamed, error) = Stream(guard.CreateStreamingOutput(session, Acme), Answer(), () => random.Next(1, 40));

            error.Should().BeNull();
            streamed.Should().Be(buffered, "run {0} cut the answer at other places", run);
        }
    }

    [Fact]
    public void Text_without_findings_is_given_out_unchanged_and_held_back_by_at_most_the_window()
    {
        using var guard = new SafetyGuard(new SafetyOptions());
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 40));
        var restorer = guard.CreateStreamingOutput(new RedactionSession(), Acme);
        var given = new StringBuilder();
        var maxHeld = 0;

        for (var i = 0; i < text.Length; i += 5)
        {
            given.Append(restorer.Append(text.Substring(i, Math.Min(5, text.Length - i))));
            maxHeld = Math.Max(maxHeld, Math.Min(i + 5, text.Length) - given.Length);
        }

        given.Append(restorer.Flush());
        given.ToString().Should().Be(text);
        maxHeld.Should().BeLessThanOrEqualTo(64 + "jumps ".Length + 5, "only the window and the word it starts in are held");
    }

    [Fact]
    public void A_policy_that_changes_nothing_holds_nothing_back_but_still_restores_placeholders()
    {
        using var guard = new SafetyGuard(new SafetyOptions { OutputSecrets = SafetyAction.Log });
        var session = new RedactionSession();
        var placeholder = session.PlaceholderFor(SensitiveDataType.Email, SampleValues.Email);
        var restorer = guard.CreateStreamingOutput(session, Acme);

        restorer.Append("Hello there, ").Should().Be("Hello there, ");
        restorer.Append("write to " + placeholder[..4]).Should().Be("write to ");
        restorer.Append(placeholder[4..] + " today.").Should().Be(SampleValues.Email + " today.");
        restorer.Flush().Should().BeEmpty();
    }

    [Fact]
    public void Placeholders_split_between_chunks_are_restored_while_values_the_model_writes_are_filtered()
    {
        using var guard = new SafetyGuard(new SafetyOptions());
        var session = new RedactionSession();
        var placeholder = session.PlaceholderFor(SensitiveDataType.Email, SampleValues.Email);
        var text = $"I wrote to {placeholder} with the key {SampleValues.AnthropicKey}. Done.";

        var (streamed, error) = Stream(guard.CreateStreamingOutput(session, Acme), text, () => 2);

        error.Should().BeNull();
        streamed.Should().Be($"I wrote to {SampleValues.Email} with the key [REDACTED_ANTHROPIC_API_KEY]. Done.");
    }

    [Fact]
    public void A_blocked_value_is_never_given_out_before_the_stream_stops()
    {
        var options = new SafetyOptions { OutputSecrets = SafetyAction.Block };
        using var guard = new SafetyGuard(options);
        var text = "Here is what you asked for, as plain text: " + SampleValues.StripeKey + " and more text after it that goes on.";

        var (given, error) = Stream(guard.CreateStreamingOutput(new RedactionSession(), Acme), text, () => 3);

        error.Should().BeOfType<SafetyPolicyViolationException>().Which.Decision.BlockedBy!.Value.Name.Should().Be("STRIPE_KEY");
        given.Should().NotContain(SampleValues.StripeKey[..8], "no part of the value was given out");
        given.Should().StartWith("Here is what you asked for");
    }

    [Fact]
    public void An_unfinished_private_key_block_is_held_until_it_ends()
    {
        using var guard = new SafetyGuard(new SafetyOptions());
        var key = "-----BEGIN PRIVATE KEY-----\n" + string.Concat(Enumerable.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", 12)) + "-----END PRIVATE KEY-----";
        var text = "The key is below.\n" + key + "\nKeep it safe.";

        var (streamed, error) = Stream(guard.CreateStreamingOutput(new RedactionSession(), Acme), text, () => 4);

        error.Should().BeNull();
        streamed.Should().NotContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC").And.Contain("[REDACTED_PRIVATE_KEY]").And.EndWith("Keep it safe.");
    }

    [Fact]
    public void The_hold_back_window_is_validated_at_start()
    {
        var act = () => new SafetyGuard(new SafetyOptions { StreamingHoldBack = -1 });

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain("StreamingHoldBack");
    }

    [Fact]
    public async Task Through_the_chat_client_pipeline_a_secret_the_model_streams_is_redacted_for_the_caller()
    {
        var answer = $"Your deploy key is {SampleValues.GitHubToken} and the stripe key is {SampleValues.StripeKey}.";
        var provider = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => Chunks(answer, 3, ct) };
        await using var services = new ServiceCollection().AddAiOrchestrator(o => o.StorePath = ":memory:").AddSafety().BuildServiceProvider();
        var client = new ChatClientBuilder(provider).UseAiOrchestrator().Build(services);

        var updates = await client.GetStreamingResponseAsync("What are my keys?").ToListAsync();

        var text = string.Concat(updates.Select(u => u.Text));
        text.Should().Be("Your deploy key is [REDACTED_GITHUB_TOKEN] and the stripe key is [REDACTED_STRIPE_KEY].");
        updates.Should().OnlyContain(u => !u.Text.Contains("ghp_", StringComparison.Ordinal) && !u.Text.Contains("sk_live", StringComparison.Ordinal));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Chunks(string text, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var i = 0; i < text.Length; i += size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, text.Substring(i, Math.Min(size, text.Length - i))) { ModelId = "gpt-4o-2024-08-06" };
        }
    }
}
