using System.Reflection;
using AiOrchestrator.Caching;
using Microsoft.Extensions.AI;

namespace AiOrchestrator.Tests.Caching;

/// <summary>What a hit replays from a text snapshot: everything the answer said, usage included, as fresh objects.</summary>
public class ChatSnapshotTests
{
    /// <summary>Every settable count of <see cref="UsageDetails"/> (a property M.E.AI adds later fails this test).</summary>
    private static readonly PropertyInfo[] Counts = [.. typeof(UsageDetails).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.PropertyType == typeof(long?))];

    private static UsageDetails FullUsage()
    {
        var usage = new UsageDetails { AdditionalCounts = new() { ["provider_specific"] = 7 } };
        for (var i = 0; i < Counts.Length; i++)
        {
            Counts[i].SetValue(usage, (long?)(100 + i));
        }

        return usage;
    }

    [Fact]
    public void A_buffered_answer_keeps_every_usage_count_and_its_facts()
    {
        Counts.Should().HaveCountGreaterThan(8);
        var original = new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris.") { AuthorName = "bot", MessageId = "m1" })
        {
            ResponseId = "r1",
            ModelId = "gpt-4o-2024-08-06",
            FinishReason = ChatFinishReason.Stop,
            CreatedAt = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero),
            Usage = FullUsage(),
        };

        var replay = ChatSnapshot.Capture(original)!.ToResponse();

        replay.Should().NotBeSameAs(original);
        replay.Usage.Should().NotBeSameAs(original.Usage);
        foreach (var count in Counts)
        {
            count.GetValue(replay.Usage).Should().Be(count.GetValue(original.Usage), count.Name);
        }

        replay.Usage!.AdditionalCounts.Should().Equal(original.Usage!.AdditionalCounts);
        replay.Text.Should().Be("Paris.");
        replay.Messages[0].AuthorName.Should().Be("bot");
        replay.Messages[0].MessageId.Should().Be("m1");
        (replay.ResponseId, replay.ModelId, replay.FinishReason, replay.CreatedAt).Should().Be((original.ResponseId, original.ModelId, original.FinishReason, original.CreatedAt));
    }

    [Fact]
    public void A_stream_keeps_every_usage_count_in_its_usage_update()
    {
        List<ChatResponseUpdate> updates =
        [
            new(ChatRole.Assistant, "Par") { ModelId = "gpt-4o" },
            new(ChatRole.Assistant, "is.") { ModelId = "gpt-4o", FinishReason = ChatFinishReason.Stop },
            new() { Contents = [new UsageContent(FullUsage())] },
        ];

        var replay = ChatSnapshot.Capture(updates)!.ToUpdates();

        var usage = replay.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        foreach (var count in Counts)
        {
            count.GetValue(usage).Should().Be(count.GetValue(((UsageContent)updates[2].Contents[0]).Details), count.Name);
        }

        string.Concat(replay.Select(u => u.Text)).Should().Be("Paris.");
        replay[1].FinishReason.Should().Be(ChatFinishReason.Stop);
    }

    [Fact]
    public void An_answer_with_more_than_text_is_not_captured_and_goes_through_json()
    {
        var withCall = new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "weather")]));
        var withProperties = new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")) { AdditionalProperties = new() { ["k"] = "v" } };

        ChatSnapshot.Capture(withCall).Should().BeNull();
        ChatSnapshot.Capture(withProperties).Should().BeNull();
    }
}
