using AiOrchestrator.Metering;

namespace AiOrchestrator.Tests.Metering;

public sealed class UsageStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aio-store-").FullName;

    private string StorePath => Path.Combine(_directory, "usage.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static UsageRecord Record(string team, string model, decimal cost, DateTimeOffset at, long input = 100, long output = 10, CallOutcome outcome = CallOutcome.Succeeded) => new()
    {
        Id = Guid.CreateVersion7(at),
        Timestamp = at,
        Scope = new AiScope { Organization = "acme", Team = team, Tags = new Dictionary<string, string> { ["env"] = "test" } },
        Provider = "openai",
        Model = model,
        Usage = new TokenUsage { InputTokens = input, OutputTokens = output },
        Cost = Money.Usd(cost),
        Latency = TimeSpan.FromMilliseconds(250),
        TimeToFirstToken = TimeSpan.FromMilliseconds(40),
        Streaming = true,
        Outcome = outcome,
    };

    [Fact]
    public async Task Records_survive_a_restart_exactly()
    {
        var at = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
        var original = Record("search", "gpt-4o", 0.000123456789m, at);
        await using (var store = new LiteDbUsageStore(StorePath))
        {
            store.Append(original);
            store.Append(Record("support", "gpt-4o-mini", 0.5m, at.AddMinutes(1), outcome: CallOutcome.Failed));
        }

        await using (var reopened = new LiteDbUsageStore(StorePath))
        {
            var records = await reopened.GetRecordsAsync(new SpendQuery());
            records.Should().HaveCount(2);
            records[0].Should().BeEquivalentTo(original);
            records[0].Cost.Amount.Should().Be(0.000123456789m, "decimals are stored exactly");
            records[1].Outcome.Should().Be(CallOutcome.Failed);
        }
    }

    [Fact]
    public async Task Spend_is_grouped_by_team_and_model_and_added_up_exactly()
    {
        var at = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
        await using var store = new LiteDbUsageStore(":memory:");
        for (var i = 0; i < 10; i++)
        {
            store.Append(Record("search", "gpt-4o-mini", 0.1m, at.AddSeconds(i)));
        }

        store.Append(Record("search", "gpt-4o", 0.25m, at));
        store.Append(Record("support", "gpt-4o", 0.3m, at, input: 1000, output: 200));
        store.Append(Record("support", "gpt-4o", 0.0000001m, at, outcome: CallOutcome.Failed));

        var byTeamAndModel = await store.GetSpendAsync(new SpendQuery { GroupBy = SpendGrouping.Team | SpendGrouping.Model });

        byTeamAndModel.Should().HaveCount(3);
        var searchMini = byTeamAndModel.Single(s => s.Team == "search" && s.Model == "gpt-4o-mini");
        searchMini.Calls.Should().Be(10);
        searchMini.Cost.Should().Be(Money.Usd(1.0m), "0.1 added ten times is exactly 1 in decimal");
        searchMini.Usage.InputTokens.Should().Be(1000);
        var support = byTeamAndModel.Single(s => s.Team == "support");
        support.Calls.Should().Be(2);
        support.FailedCalls.Should().Be(1);
        support.Cost.Should().Be(Money.Usd(0.3000001m));
        support.Organization.Should().BeNull("the query did not group by organisation");

        var total = (await store.GetSpendAsync(new SpendQuery())).Should().ContainSingle().Subject;
        total.Cost.Should().Be(Money.Usd(1.5500001m));
        total.Calls.Should().Be(13);
    }

    [Fact]
    public async Task Spend_is_filtered_by_scope_and_period_and_grouped_by_day_in_a_time_zone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        await using var store = new LiteDbUsageStore(":memory:");
        // 03:00 UTC on 3 Nov is still 2 Nov in New York.
        store.Append(Record("search", "gpt-4o", 1m, new DateTimeOffset(2026, 11, 3, 3, 0, 0, TimeSpan.Zero)));
        store.Append(Record("search", "gpt-4o", 2m, new DateTimeOffset(2026, 11, 3, 15, 0, 0, TimeSpan.Zero)));
        store.Append(Record("support", "gpt-4o", 4m, new DateTimeOffset(2026, 11, 3, 15, 0, 0, TimeSpan.Zero)));
        store.Append(Record("search", "gpt-4o", 8m, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));

        var days = await store.GetSpendAsync(new SpendQuery
        {
            Team = "search",
            From = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
            GroupBy = SpendGrouping.Day,
            TimeZone = zone,
        });

        days.Select(d => (d.Period, d.Cost.Amount)).Should().Equal(
            (new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.FromHours(-5)), 1m),
            (new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.FromHours(-5)), 2m));
    }

    [Fact]
    public async Task A_query_whose_end_is_before_its_start_is_refused()
    {
        await using var store = new LiteDbUsageStore(":memory:");
        var act = () => store.GetSpendAsync(new SpendQuery { From = DateTimeOffset.UnixEpoch.AddDays(2), To = DateTimeOffset.UnixEpoch });
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*before its From*");
    }

    [Fact]
    public async Task Concurrent_appends_are_all_kept()
    {
        await using var store = new LiteDbUsageStore(StorePath);
        var at = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 500; i++)
            {
                store.Append(Record($"team{t}", "gpt-4o", 0.001m, at.AddMilliseconds(i)));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var total = (await store.GetSpendAsync(new SpendQuery())).Single();
        total.Calls.Should().Be(4000);
        total.Cost.Should().Be(Money.Usd(4m));
    }

    [Fact]
    public async Task Appending_after_close_is_refused()
    {
        var store = new LiteDbUsageStore(":memory:");
        await store.DisposeAsync();
        var act = () => store.Append(Record("x", "gpt-4o", 1m, DateTimeOffset.UnixEpoch));
        act.Should().Throw<ObjectDisposedException>().WithMessage("*closed*");
    }
}
