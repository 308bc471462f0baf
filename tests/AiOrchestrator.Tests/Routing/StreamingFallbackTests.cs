using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using Microsoft.Extensions.AI;
using static AiOrchestrator.Tests.Routing.Targets;

namespace AiOrchestrator.Tests.Routing;

public class StreamingFallbackTests
{
    private static readonly ChatOptions Smart = new() { ModelId = "smart" };

    [Fact]
    public async Task A_stream_that_fails_before_its_first_update_falls_back()
    {
        var primary = Failing(Status(503));
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", primary, "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));

        var updates = await host.StreamAsync("hi", Smart);

        updates[0].Text.Should().Be("from backup");
        var records = await host.RecordsAsync();
        records.Select(r => (r.Route, r.Outcome, r.Streaming)).Should().Equal(("openai", CallOutcome.Failed, true), ("claude", CallOutcome.Succeeded, true));
        records[1].Cost.Amount.Should().BePositive();
    }

    [Fact]
    public async Task A_stream_that_fails_after_its_first_update_propagates_and_is_not_retried()
    {
        var cut = new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        var primary = Answering("partial", "gpt-4o");
        primary.GetStreamingResponseAsyncCallback = (_, o, _) => Stream("partial", o!.ModelId!, failAfterFirst: cut);
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", primary, "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));
        var seen = new List<string>();

        var act = async () =>
        {
            await foreach (var update in host.Client.GetStreamingResponseAsync("hi", Smart))
            {
                seen.Add(update.Text);
            }
        };

        (await act.Should().ThrowAsync<HttpIOException>()).Which.Should().BeSameAs(cut);
        seen.Should().Equal("partial");
        backup.Calls.Should().Be(0);
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Should().Match<UsageRecord>(r => r.Route == "openai" && r.Outcome == CallOutcome.Failed);
        record.Usage.OutputTokens.Should().BePositive("the tokens streamed before the cut are estimated and charged");
    }

    [Fact]
    public async Task A_stream_with_a_client_error_is_not_retried()
    {
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", Failing(Status(400)), "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));

        await FluentActions.Awaiting(() => host.StreamAsync("hi", Smart)).Should().ThrowAsync<HttpRequestException>();
        backup.Calls.Should().Be(0);
    }

    [Fact]
    public async Task A_stream_where_every_target_fails_before_output_throws_all_targets_failed()
    {
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", Failing(Status(500)), "gpt-4o"),
            Target("claude", Failing(new Anthropic.Exceptions.AnthropicInvalidDataException("Unexpected end of stream", null!), "claude-sonnet-4-5", "anthropic"), "claude-sonnet-4-5")));

        var error = (await FluentActions.Awaiting(() => host.StreamAsync("hi", Smart)).Should().ThrowAsync<AllTargetsFailedException>()).Which;

        error.Attempts.Select(a => a.Failure).Should().Equal(RouteFailure.ServerError, RouteFailure.InvalidResponse);
    }

    [Fact]
    public async Task A_stream_the_caller_stops_reading_counts_as_served()
    {
        var primary = Answering("first", "gpt-4o");
        await using var host = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("openai", primary, "gpt-4o"))(o);
            o.CircuitBreaker.ConsecutiveFailures = 1;
        });

        await foreach (var _ in host.Client.GetStreamingResponseAsync("hi", Smart))
        {
            break;
        }

        host.Router.Routes.Find("smart").Entries[0].Health.Circuit.State.Should().Be(CircuitState.Closed);
        (await host.RecordsAsync()).Single().Outcome.Should().Be(CallOutcome.Abandoned);
    }
}
