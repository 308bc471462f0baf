using System.Diagnostics;
using AiOrchestrator.Metering;
using AiOrchestrator.Routing;
using Microsoft.Extensions.AI;
using static AiOrchestrator.Tests.Routing.Targets;

namespace AiOrchestrator.Tests.Routing;

public class FallbackTests
{
    private static readonly ChatOptions Smart = new() { ModelId = "smart" };

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(529)]
    [InlineData(408)]
    public async Task A_retryable_status_falls_back_to_the_next_target_and_both_attempts_are_metered(int status)
    {
        var primary = Failing(Status(status));
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", primary, "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));

        var response = await host.Client.GetResponseAsync("hi", Smart);

        response.Text.Should().Be("from backup");
        primary.Calls.Should().Be(1);
        var records = await host.RecordsAsync();
        records.Should().HaveCount(2);
        records[0].Should().Match<UsageRecord>(r => r.Route == "openai" && r.Outcome == CallOutcome.Failed && r.Model == "gpt-4o" && r.Cost.Amount == 0m);
        records[1].Should().Match<UsageRecord>(r => r.Route == "claude" && r.Outcome == CallOutcome.Succeeded && r.Model == "claude-sonnet-4-5" && r.Cost.Amount > 0m);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task A_client_error_is_not_retried_and_reaches_the_caller_unchanged(int status)
    {
        var error = Status(status);
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", Failing(error), "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));

        var act = () => host.Client.GetResponseAsync("hi", Smart);

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.Should().BeSameAs(error);
        backup.Calls.Should().Be(0);
        (await host.RecordsAsync()).Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Failed);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        using var cts = new CancellationTokenSource();
        var primary = Answering("never", "gpt-4o");
        primary.GetResponseAsyncCallback = (_, _, _) =>
        {
            cts.Cancel();
            throw new OperationCanceledException(cts.Token);
        };
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", primary, "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));

        var act = () => host.Client.GetResponseAsync("hi", Smart, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        backup.Calls.Should().Be(0);
    }

    [Fact]
    public async Task A_connection_error_and_garbage_fall_back()
    {
        var refused = Failing(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));
        var garbage = Failing(new System.Text.Json.JsonException("'<' is an invalid start of a value."));
        var backup = Answering("from backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("down", refused, "gpt-4o"), Target("garbled", garbage, "gpt-4o-mini"), Target("claude", backup, "claude-sonnet-4-5")));

        var response = await host.Client.GetResponseAsync("hi", Smart);

        response.Text.Should().Be("from backup");
        (await host.RecordsAsync()).Select(r => r.Route).Should().Equal("down", "garbled", "claude");
    }

    [Fact]
    public async Task When_every_target_fails_the_exception_lists_each_attempt_and_why()
    {
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", Failing(Status(429)), "gpt-4o"),
            Target("claude", Failing(Status(503), "claude-sonnet-4-5", "anthropic"), "claude-sonnet-4-5")));

        var act = () => host.Client.GetResponseAsync("hi", Smart);

        var error = (await act.Should().ThrowAsync<AllTargetsFailedException>()).Which;
        error.Alias.Should().Be("smart");
        error.Attempts.Should().HaveCount(2);
        error.Attempts[0].Should().Match<RouteAttempt>(a => a.Target == "openai" && a.Model == "gpt-4o" && a.Failure == RouteFailure.RateLimited && a.StatusCode == 429 && a.ErrorType == "HttpRequestException");
        error.Attempts[1].Should().Match<RouteAttempt>(a => a.Target == "claude" && a.Failure == RouteFailure.ServerError && a.StatusCode == 503);
        error.Message.Should().Contain("openai (gpt-4o): RateLimited (429)").And.Contain("claude (claude-sonnet-4-5): ServerError (503)");
        error.InnerException.Should().BeOfType<HttpRequestException>();
        (await host.RecordsAsync()).Should().HaveCount(2).And.OnlyContain(r => r.Outcome == CallOutcome.Failed && r.Cost.Amount == 0m);
    }

    [Fact]
    public async Task The_callers_options_are_not_changed_and_each_target_gets_its_own_model()
    {
        var seen = new List<string?>();
        var primary = Failing(Status(500));
        primary.GetResponseAsyncCallback = (_, o, _) =>
        {
            seen.Add(o?.ModelId);
            return Task.FromException<ChatResponse>(Status(500));
        };
        var backup = Answering("ok", "claude-sonnet-4-5", "anthropic");
        backup.GetResponseAsyncCallback = (_, o, _) =>
        {
            seen.Add(o?.ModelId);
            return Task.FromResult(Response("ok", o!.ModelId!));
        };
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("openai", primary, "gpt-4o"), Target("claude", backup, "claude-sonnet-4-5")));
        var options = new ChatOptions { ModelId = "smart", Temperature = 0.5f };

        await host.Client.GetResponseAsync("hi", options);

        seen.Should().Equal("gpt-4o", "claude-sonnet-4-5");
        options.ModelId.Should().Be("smart");
        options.AdditionalProperties.Should().BeNull();
    }

    [Fact]
    public async Task An_unknown_alias_names_the_known_ones_and_a_target_model_is_served_directly()
    {
        var mini = Answering("mini", "gpt-4o-mini");
        await using var host = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("openai", Answering("big", "gpt-4o"), "gpt-4o"))(o);
            Alias("cheap", RoutingStrategy.Priority, Target("mini", mini, "gpt-4o-mini"))(o);
        });

        var act = () => host.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "clever" });

        var error = (await act.Should().ThrowAsync<UnknownModelAliasException>()).Which;
        error.Message.Should().Contain("'clever'").And.Contain("smart").And.Contain("cheap");
        error.KnownAliases.Should().BeEquivalentTo("smart", "cheap");
        (await host.Client.GetResponseAsync("hi", new ChatOptions { ModelId = "GPT-4O-MINI" })).Text.Should().Be("mini");
        (await host.RecordsAsync()).Single().Route.Should().Be("mini");
    }

    [Fact]
    public async Task A_call_without_a_model_uses_the_default_alias_or_the_inner_client()
    {
        var inner = Answering("inner", "gpt-4o-mini");
        await using var unrouted = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority, Target("openai", Answering("big", "gpt-4o"), "gpt-4o")), inner: inner);
        (await unrouted.Client.GetResponseAsync("hi")).Text.Should().Be("inner");
        (await unrouted.RecordsAsync()).Single().Should().Match<UsageRecord>(r => r.Route == null && r.Outcome == CallOutcome.Succeeded);

        await using var routed = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("openai", Answering("big", "gpt-4o"), "gpt-4o"))(o);
            o.DefaultAlias = "smart";
        });
        (await routed.Client.GetResponseAsync("hi")).Text.Should().Be("big");
    }

    [Fact]
    public async Task A_target_without_a_client_is_served_by_the_inner_client()
    {
        var inner = Answering("inner", "gpt-4o-mini");
        await using var host = new RoutingTestHost(
            Alias("smart", RoutingStrategy.Priority, new RouteTarget { Name = "inner-mini", ModelId = "gpt-4o-mini" }), inner: inner);

        (await host.Client.GetResponseAsync("hi", Smart)).Text.Should().Be("inner");
    }

    [Fact]
    public async Task The_router_reports_its_metadata_and_tags_the_serving_target_on_a_trace()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AiOrchestratorTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = new RoutingTestHost(o =>
        {
            Alias("traced", RoutingStrategy.Priority,
                Target("openai", Failing(Status(500)), "gpt-4o"), Target("claude", Answering("ok", "claude-sonnet-4-5", "anthropic"), "claude-sonnet-4-5"))(o);
            o.DefaultAlias = "traced";
        });

        var metadata = host.Client.GetService<ChatClientMetadata>();
        await host.Client.GetResponseAsync("hi");

        metadata!.ProviderName.Should().Be("aiorchestrator.router");
        metadata.DefaultModelId.Should().Be("traced");
        var route = activities.Should().ContainSingle(a => a.OperationName == "aiorchestrator.route" && "traced".Equals(a.GetTagItem("aiorchestrator.route.alias"))).Subject;
        route.GetTagItem("aiorchestrator.route.target").Should().Be("claude");
                route.GetTagItem("aiorchestrator.route.attempts").Should().Be(2);
    }
}
