using AiOrchestrator.Metering;

namespace AiOrchestrator.Tests.Metering;

public class UsageRetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static UsageRecord At(DateTimeOffset time) => new()
    {
        Id = Guid.NewGuid(),
        Timestamp = time,
        Scope = new AiScope { Organization = "acme" },
        Model = "gpt-4o",
        Cost = Money.Usd(0.001m),
    };

    [Fact]
    public async Task With_a_retention_records_older_than_it_are_deleted_as_new_ones_are_written()
    {
        await using var store = new LiteDbUsageStore(":memory:", retention: TimeSpan.FromHours(1));
        for (var i = 0; i < 10; i++)
        {
            store.Append(At(Start.AddMinutes(i)));
        }

        await store.FlushAsync();
        store.Append(At(Start.AddHours(3)));
        await store.FlushAsync();

        var kept = await store.GetRecordsAsync(new SpendQuery());
        kept.Should().ContainSingle().Which.Timestamp.Should().Be(Start.AddHours(3));
    }

    [Fact]
    public async Task Without_a_retention_every_record_is_kept()
    {
        await using var store = new LiteDbUsageStore(":memory:");
        store.Append(At(Start));
        await store.FlushAsync();
        store.Append(At(Start.AddDays(400)));

        (await store.GetRecordsAsync(new SpendQuery())).Should().HaveCount(2);
    }

    [Fact]
    public void A_retention_of_zero_or_less_is_refused()
    {
        var create = () => new LiteDbUsageStore(":memory:", retention: TimeSpan.Zero);
        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*retention must be positive*");
    }
}
