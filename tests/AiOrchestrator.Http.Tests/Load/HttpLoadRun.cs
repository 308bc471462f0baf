using AiOrchestrator.Tests.Load;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace AiOrchestrator.Http.Tests.Load;

/// <summary>What one load call does: which server mode it reaches and how the caller reads the answer.</summary>
public enum HttpCallKind
{
    Plain,
    LargePrompt,
    StreamToEnd,
    StreamAbandoned,
    PlainWithoutUsage,
    StreamWithoutUsage,
    RateLimited,
    ServerError,
    EmptyResponse,
    DroppedMidStream,
    MalformedJson,
    MalformedStream,
    ProviderOverrun,
}

public enum HttpCallerOutcome
{
    Answered,
    Abandoned,

    /// <summary>A stream that set no output cap was cut off by the handler (<c>StreamCutOffException</c>, documented).</summary>
    CutOff,
    ProviderError,
    Refused,
    Unexpected,
}

public sealed record HttpCallerResult(HttpCallKind Kind, HttpCallerOutcome Outcome, Exception? Error);

/// <summary>
/// Runs the HTTP load once for every test of a <see cref="BudgetLoadTests{TRun}"/>: 4,000 callers released together on an
/// async barrier, all in scope acme/t1, each calling through the real OpenAI SDK (<c>OpenAIClient</c> on an
/// <c>HttpClient</c> from <c>AddHttpClient("openai").AddAiOrchestratorHandler()</c>, SDK retries off so every
/// attempt is one request) a WireMock.Net server speaking the Chat Completions wire format, against a $1.00 team
/// wallet with a durable journal and a LiteDB usage store in a temporary folder. Only the public API is used.
/// </summary>
public abstract class HttpLoadRun : IAsyncLifetime, IBudgetLoadRun
{
    public const int Callers = 4000;
    public const decimal TeamLimit = 1.00m;
    public const decimal OrgLimit = 1000m;
    public const decimal OutputPricePerToken = 0.60m / 1_000_000m; // gpt-4o-mini

    public static readonly WalletId Team = WalletId.ForTeam("acme", "t1");
    public static readonly WalletId Org = WalletId.ForOrganization("acme");

    private static readonly string LargeText = BuildLargeText(61_000);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aiorchestrator-httpload-" + Guid.NewGuid().ToString("N"));

    /// <param name="callsPerCaller">Calls each caller makes at most, one after another.</param>
    /// <param name="refusalsPerCaller">A caller stops after this many refusals.</param>
    protected HttpLoadRun(int callsPerCaller, int refusalsPerCaller)
    {
        CallsPerCaller = callsPerCaller;
        RefusalsPerCaller = refusalsPerCaller;
    }

    public int CallsPerCaller { get; }

    public int RefusalsPerCaller { get; }

    public Wallet TeamWallet { get; private set; } = null!;

    public Wallet OrgWallet { get; private set; } = null!;

    public IReadOnlyList<WalletTransaction> TeamHistory { get; private set; } = [];

    public IReadOnlyList<WalletTransaction> OrgHistory { get; private set; } = [];

    public IReadOnlyList<SpendSummary> TeamSpend { get; private set; } = [];

    public IReadOnlyList<UsageRecord> TeamRecords { get; private set; } = [];

    public long OverrunTokens { get; private set; }

    public int OverrunCalls { get; private set; }

    public decimal AllowedExcess => OverrunTokens * OutputPricePerToken;

    public IReadOnlyList<HttpCallerResult> Results { get; private set; } = [];

    int IBudgetLoadRun.Callers => Callers;

    decimal IBudgetLoadRun.TeamLimit => TeamLimit;

    int IBudgetLoadRun.CallsMade => Results.Count;

    int IBudgetLoadRun.Refusals => Results.Count(r => r.Outcome == HttpCallerOutcome.Refused);

    int IBudgetLoadRun.Answers => Results.Count(r => r.Outcome == HttpCallerOutcome.Answered);

    IEnumerable<string> IBudgetLoadRun.UnexpectedOutcomes => Results
        .Where(r => r.Outcome == HttpCallerOutcome.Unexpected)
        .Select(r => $"{r.Kind}: {r.Error?.GetType().Name ?? "no error"} {r.Error?.Message}");

    public TimeSpan LoadTime { get; private set; }

    public TimeSpan TotalTime { get; private set; }

    public async Task InitializeAsync()
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(_folder);
        using var server = new OpenAILoadServer();
        var services = new ServiceCollection();
        services.AddAiOrchestrator(o =>
        {
            o.StorePath = Path.Combine(_folder, "usage.db");
            o.DefaultScope = new AiScope { Organization = "default" };
        });
        services.AddBudgetLedger(configure: o =>
        {
            o.StorePath = Path.Combine(_folder, "budget.journal");
            o.Wallets.Add(new WalletOptions { Id = Org.Value, Limit = OrgLimit, Period = BudgetPeriod.Total });
            o.Wallets.Add(new WalletOptions { Id = Team.Value, Limit = TeamLimit, Period = BudgetPeriod.Total });
        });
        services.AddHttpClient("openai", c => c.Timeout = TimeSpan.FromMinutes(2))
            .AddAiOrchestratorHandler(o => o.Provider = "openai"); // the loopback server stands in for api.openai.com

        var sp = services.BuildServiceProvider();
        try
        {
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
            var clients = Enum.GetValues<ServerMode>().ToDictionary(mode => mode, mode => new OpenAIClient(
                new ApiKeyCredential("sk-test"),
                new OpenAIClientOptions
                {
                    Endpoint = server.Endpoint(mode),
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // every attempt is metered anyway; keep it fast
                    NetworkTimeout = TimeSpan.FromMinutes(2),
                }).GetChatClient("gpt-4o-mini"));
            var ledger = sp.GetRequiredService<IBudgetLedger>();
            var store = sp.GetRequiredService<IUsageStore>();

            var load = Stopwatch.StartNew();
            var ready = 0;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var callers = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
            {
                if (Interlocked.Increment(ref ready) == Callers)
                {
                    go.SetResult();
                }

                await go.Task;
                var results = new List<HttpCallerResult>();
                var refusals = 0;
                using (AiScope.Begin(organization: "acme", team: "t1"))
                {
                    for (var j = 0; j < CallsPerCaller && refusals < RefusalsPerCaller; j++)
                    {
                        var result = await RunAsync(clients, PlannedCall.For((i * CallsPerCaller) + j));
                        refusals += result.Outcome == HttpCallerOutcome.Refused ? 1 : 0;
                        results.Add(result);
                    }
                }

                return results;
            })).ToArray();
            Results = [.. (await Task.WhenAll(callers)).SelectMany(r => r)];
            LoadTime = load.Elapsed;

            await ledger.FlushAsync();
            await store.FlushAsync();
            TeamWallet = ledger.GetWallet(Team);
            OrgWallet = ledger.GetWallet(Org);
            TeamHistory = await ledger.GetHistoryAsync(Team);
            OrgHistory = await ledger.GetHistoryAsync(Org);
            var query = new SpendQuery { Organization = "acme", Team = "t1" };
            TeamSpend = await store.GetSpendAsync(query);
            TeamRecords = await store.GetRecordsAsync(query);
            OverrunTokens = server.OverrunTokensReported;
            OverrunCalls = server.OverrunCalls;
        }
        finally
        {
            await sp.DisposeAsync();
        }

        TotalTime = total.Elapsed;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"load {LoadTime.TotalSeconds:F1} s, whole fixture {TotalTime.TotalSeconds:F1} s; {Callers} callers made {Results.Count} calls (at most {CallsPerCaller} each, stopping after {RefusalsPerCaller} refusals)");
        foreach (var group in Results.GroupBy(r => r.Kind).OrderBy(g => g.Key))
        {
            text.AppendLine($"  {group.Key,-18} {group.Count(),5} calls: " + string.Join(", ", group.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        }

        foreach (var error in Results.Where(r => r.Outcome == HttpCallerOutcome.Unexpected).GroupBy(r => $"{r.Kind}: {r.Error?.GetType().Name} {r.Error?.Message}").Take(10))
        {
            text.AppendLine($"  unexpected x{error.Count()}: {error.Key}");
        }

        var overspend = TeamWallet.Spent.Amount - TeamLimit;
        text.AppendLine($"team spent {TeamWallet.Spent.Amount} of {TeamLimit} (over by {overspend} = {overspend / TeamLimit:P2}), reserved {TeamWallet.Reserved.Amount}");
        text.AppendLine($"provider-reported overruns: {OverrunCalls} calls, {OverrunTokens} tokens, allowed excess {AllowedExcess}");
        text.AppendLine($"ledger-recorded overruns on the team wallet: {TeamHistory.Count(t => t.Overrun > 0m)} settlements, {TeamHistory.Sum(t => t.Overrun)}");
        text.AppendLine($"usage store for acme/t1: {TeamSpend.Sum(s => s.Cost.Amount)} over {TeamSpend.Sum(s => s.Calls)} records; " +
            string.Join(", ", TeamRecords.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()} (${g.Sum(r => r.Cost.Amount)})")));
        return text.ToString();
    }

    private static async Task<HttpCallerResult> RunAsync(Dictionary<ServerMode, ChatClient> clients, PlannedCall call)
    {
        var chat = clients[call.Mode];
        var options = new ChatCompletionOptions { MaxOutputTokenCount = call.MaxOutputTokens };
        ChatMessage[] messages =
        [
            new SystemChatMessage("You are a helpful assistant for the acme search team."),
            new UserChatMessage($"want:{call.WantedOutput} {call.Prompt}"),
        ];

        try
        {
            if (!call.Streams)
            {
                ChatCompletion completion = await chat.CompleteChatAsync(messages, options);
                return Expect(call, completion.Content.Count > 0 ? HttpCallerOutcome.Answered : HttpCallerOutcome.Unexpected);
            }

            var read = 0;
            await foreach (var _ in chat.CompleteChatStreamingAsync(messages, options))
            {
                if (++read == 2 && call.Kind == HttpCallKind.StreamAbandoned)
                {
                    return Expect(call, HttpCallerOutcome.Abandoned);
                }
            }

            return Expect(call, HttpCallerOutcome.Answered);
        }
        catch (Exception ex) when (Find<BudgetExceededException>(ex) is not null)
        {
            return new HttpCallerResult(call.Kind, HttpCallerOutcome.Refused, null);
        }
        catch (Exception ex) when (call.Streams && call.MaxOutputTokens is null && Find<StreamCutOffException>(ex) is not null)
        {
            return new HttpCallerResult(call.Kind, HttpCallerOutcome.CutOff, null);
        }
        catch (Exception ex) when (call.ProviderFails && ex is ClientResultException or HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            return new HttpCallerResult(call.Kind, HttpCallerOutcome.ProviderError, null);
        }
        catch (Exception ex)
        {
            return new HttpCallerResult(call.Kind, HttpCallerOutcome.Unexpected, ex);
        }
    }

    private static HttpCallerResult Expect(PlannedCall call, HttpCallerOutcome outcome)
        => new(call.Kind, call.ProviderFails ? HttpCallerOutcome.Unexpected : outcome, null);

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string BuildLargeText(int length)
    {
        string[] vocabulary =
        [
            "the", "index", "returns", "documents", "ranked", "by", "relevance", "for", "each", "query", "and", "a",
            "customer", "asked", "why", "their", "search", "results", "changed", "after", "the", "last", "release",
            "latency", "p99", "increased", "to", "480ms", "while", "throughput", "stayed", "flat", "at", "1,200",
            "requests", "per", "second", "on", "shard", "17", "of", "the", "cluster", "in", "eu-west-1.",
        ];
        var random = new Random(7);
        var text = new StringBuilder(length + 32);
        while (text.Length < length)
        {
            text.Append(vocabulary[random.Next(vocabulary.Length)]).Append(random.Next(12) == 0 ? ".\n" : " ");
        }

        return text.ToString(0, length);
    }

    internal sealed record PlannedCall(HttpCallKind Kind, ServerMode Mode, bool Streams, string Prompt, int? MaxOutputTokens, int WantedOutput)
    {
        public bool ProviderFails => Mode is ServerMode.RateLimited or ServerMode.ServerError or ServerMode.EmptyResponse
            or ServerMode.DroppedMidStream or ServerMode.MalformedJson or ServerMode.MalformedStream;

        public static PlannedCall For(int index)
        {
            var random = new Random(index);
            var (kind, mode, streams) = random.Next(1000) switch
            {
                < 250 => (HttpCallKind.Plain, ServerMode.Ok, false),
                < 310 => (HttpCallKind.LargePrompt, ServerMode.Ok, false),
                < 500 => (HttpCallKind.StreamToEnd, ServerMode.Ok, true),
                < 620 => (HttpCallKind.StreamAbandoned, ServerMode.Ok, true),
                < 650 => (HttpCallKind.PlainWithoutUsage, ServerMode.NoUsage, false),
                < 710 => (HttpCallKind.StreamWithoutUsage, ServerMode.NoUsage, true),
                < 770 => (HttpCallKind.RateLimited, ServerMode.RateLimited, random.Next(2) == 0),
                < 830 => (HttpCallKind.ServerError, ServerMode.ServerError, random.Next(2) == 0),
                < 870 => (HttpCallKind.EmptyResponse, ServerMode.EmptyResponse, random.Next(2) == 0),
                < 920 => (HttpCallKind.DroppedMidStream, ServerMode.DroppedMidStream, true),
                < 950 => (HttpCallKind.MalformedJson, ServerMode.MalformedJson, false),
                < 990 => (HttpCallKind.MalformedStream, ServerMode.MalformedStream, true),
                _ => (HttpCallKind.ProviderOverrun, ServerMode.Overrun, false), // 1 %
            };
            var prompt = kind == HttpCallKind.LargePrompt
                ? LargeText[..random.Next(40_000, 60_001)]
                : $"Caller {index}: why did the ranking of query #{random.Next(100_000)} change after the last release? Answer briefly.";
            int? cap = random.Next(3) == 0 ? null : random.Next(200, 2_001); // unset: the handler reserves its default, the server stops at 4,096
            var wanted = random.Next(4) != 0 ? 100_000 : random.Next(50, 1_500);
            return new PlannedCall(kind, mode, streams, prompt, cap, wanted);
        }
    }
}

/// <summary>
/// One call per caller: the barrier releases 4,000 calls at once, their reservations take the whole wallet, and what
/// they settle is final (no later call uses what they leave), so an estimate settled above its reservation shows up
/// as spend past the limit.
/// </summary>
public sealed class BurstHttpLoadRun() : HttpLoadRun(callsPerCaller: 1, refusalsPerCaller: 1);

/// <summary>
/// Up to 12 calls per caller, each stopping after 4 refusals: after the first wave, calls keep coming as money is
/// freed, so the spend is driven to the limit and the calls at the wallet's edge are the ones that settle last.
/// </summary>
public sealed class SustainedHttpLoadRun() : HttpLoadRun(callsPerCaller: 12, refusalsPerCaller: 4);
