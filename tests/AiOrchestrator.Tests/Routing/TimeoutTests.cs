using AiOrchestrator.Routing;
using Microsoft.Extensions.AI;
using static AiOrchestrator.Tests.Routing.Targets;

namespace AiOrchestrator.Tests.Routing;

public class TimeoutTests
{
    private static readonly ChatOptions Smart = new() { ModelId = "smart" };

    [Fact]
    public async Task An_attempt_past_its_targets_timeout_falls_back()
    {
        var hanging = Answering("late", "gpt-4o");
        var started = new TaskCompletionSource();
        hanging.GetResponseAsyncCallback = async (_, o, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return Response("late", o!.ModelId!);
        };
        var backup = Answering("backup", "claude-sonnet-4-5", "anthropic");
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("hanging", hanging, "gpt-4o", timeout: TimeSpan.FromSeconds(10)), Target("backup", backup, "claude-sonnet-4-5")));

        var call = host.Client.GetResponseAsync("hi", Smart);
        await started.Task;
        host.FakeTime.Advance(TimeSpan.FromSeconds(10));
        var response = await call;

        response.Text.Should().Be("backup");
        var records = await host.RecordsAsync();
        records[0].Should().Match<AiOrchestrator.Metering.UsageRecord>(r => r.Route == "hanging" && r.Outcome != AiOrchestrator.Metering.CallOutcome.Succeeded);
    }

    [Fact]
    public async Task A_timeout_on_the_last_target_is_reported_as_a_timeout_not_a_cancellation()
    {
        var hanging = Answering("late", "gpt-4o");
        var started = new TaskCompletionSource();
        hanging.GetResponseAsyncCallback = async (_, o, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return Response("late", o!.ModelId!);
        };
        await using var host = new RoutingTestHost(o =>
        {
            Alias("smart", RoutingStrategy.Priority, Target("hanging", hanging, "gpt-4o"))(o);
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
        });

        var call = host.Client.GetResponseAsync("hi", Smart);
        await started.Task;
        host.FakeTime.Advance(TimeSpan.FromSeconds(5));

        var error = (await FluentActions.Awaiting(() => call).Should().ThrowAsync<AllTargetsFailedException>()).Which;
        error.Attempts.Single().Should().Match<RouteAttempt>(a => a.Failure == RouteFailure.Timeout && a.Message.Contains("00:00:05"));
    }

    [Fact]
    public async Task A_streams_timeout_covers_only_the_wait_for_its_first_update()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(RoutingTestHost.Start);
        var slowStart = Answering("slow", "gpt-4o");
        slowStart.GetStreamingResponseAsyncCallback = (_, o, token) => Hanging(token);
        var steady = Answering("steady", "claude-sonnet-4-5", "anthropic");
        steady.GetStreamingResponseAsyncCallback = (_, o, _) => LongStream(time, o!.ModelId!);
        await using var host = new RoutingTestHost(Alias("smart", RoutingStrategy.Priority,
            Target("slow", slowStart, "gpt-4o", timeout: TimeSpan.FromSeconds(3)),
            Target("steady", steady, "claude-sonnet-4-5", timeout: TimeSpan.FromSeconds(3))), time);

        var stream = host.StreamAsync("hi", Smart);
        time.Advance(TimeSpan.FromSeconds(3));
        var updates = await stream;

        updates.Select(u => u.Text).Should().StartWith(["part 0", "part 1", "part 2"], "the steady stream ran for 10 s in all, past its 3 s timeout, after its first update");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Hanging([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
        yield break;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> LongStream(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, string model)
    {
        for (var i = 0; i < 5; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"part {i}") { ModelId = model };
            time.Advance(TimeSpan.FromSeconds(2));
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 })]) { ModelId = model };
    }
}
