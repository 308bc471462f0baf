using System.Diagnostics;
using System.Text;

namespace AiOrchestrator.Tests.Caching;

/// <summary>
/// Redis as the response cache's second level, shared by two pipeline instances in two processes: an answer one
/// process kept is a hit in the other for the same tenant and never reaches another tenant; with Redis gone, calls
/// still get answers from the provider.
/// </summary>
[Collection(nameof(RedisCacheTests))]
public class RedisCacheTests
{
    private const string Question = "What is the capital of France?";

    [Fact]
    public async Task An_answer_kept_in_one_process_is_a_hit_in_another_for_the_same_tenant_and_never_for_another()
    {
        using var redis = await RedisServer.StartAsync();
        await using var first = await CacheHost.StartAsync("first", redis.Endpoint);
        await using var second = await CacheHost.StartAsync("second", redis.Endpoint);

        (await first.AskAsync("acme", Question)).Should().Be(new Answer(false, 1, "first answered acme: " + Question));

        // The second process has never seen the question: its in-process level is empty, Redis has acme's answer.
        (await second.AskAsync("acme", Question)).Should().Be(new Answer(true, 0, "first answered acme: " + Question));

        // Another tenant asking the same question gets its own answer from the provider, in either process.
        (await second.AskAsync("globex", Question)).Should().Be(new Answer(false, 1, "second answered globex: " + Question));
        (await first.AskAsync("globex", Question)).Should().Be(new Answer(true, 1, "second answered globex: " + Question));
        (await first.AskAsync("initech", Question)).Should().Be(new Answer(false, 2, "first answered initech: " + Question));

        // Each answer stays with its tenant in both processes.
        (await second.AskAsync("acme", Question)).Text.Should().Contain("acme");
        (await first.AskAsync("acme", Question)).Text.Should().Contain("acme");
        (await second.AskAsync("initech", Question)).Should().Be(new Answer(true, 1, "first answered initech: " + Question));
    }

    [Fact]
    public async Task With_Redis_gone_calls_are_answered_by_the_provider()
    {
        using var redis = await RedisServer.StartAsync();
        await using var host = await CacheHost.StartAsync("only", redis.Endpoint);
        (await host.AskAsync("acme", Question)).Hit.Should().BeFalse();

        redis.Kill();
        var answer = await host.AskAsync("acme", "A question Redis never saw");
        answer.Hit.Should().BeFalse();
        answer.Text.Should().Be("only answered acme: A question Redis never saw");

        // What the process kept in memory still answers.
        (await host.AskAsync("acme", Question)).Should().Be(new Answer(true, 2, "only answered acme: " + Question));
    }

    private sealed record Answer(bool Hit, int ProviderCalls, string Text);

    /// <summary>One AiOrchestrator.CacheHost process, asked one question per line.</summary>
    private sealed class CacheHost : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _errors = new();

        private CacheHost(Process process) => _process = process;

        public static async Task<CacheHost> StartAsync(string name, string redis)
        {
            var path = Path.Combine(AppContext.BaseDirectory.Replace("AiOrchestrator.Tests", "AiOrchestrator.CacheHost", StringComparison.Ordinal), "AiOrchestrator.CacheHost.dll");
            File.Exists(path).Should().BeTrue($"the cache host is built next to the tests ({path})");
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(path);
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(redis);
            var host = new CacheHost(Process.Start(start)!);
            var ready = await host._process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            ready.Should().Be("ready");
            _ = Task.Run(async () =>
            {
                while (await host._process.StandardError.ReadLineAsync() is { } error)
                {
                    lock (host._errors)
                    {
                        host._errors.AppendLine(error);
                    }
                }
            });
            return host;
        }

        public async Task<Answer> AskAsync(string organization, string question)
        {
            await _process.StandardInput.WriteLineAsync(organization + " " + question);
            await _process.StandardInput.FlushAsync();
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            line.Should().NotBeNull("the cache host answers every request ({0})", Errors());
            var parts = line!.Split(' ', 3);
            return new Answer(parts[0] == "hit", int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private string Errors()
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }
}
