using System.Diagnostics;
using System.Text;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AiOrchestrator.Tests.Load;

/// <summary>
/// Runs the load once for every test of a <see cref="BudgetLoadTests{TRun}"/>: 4,000 callers released together on an async
/// barrier, all in scope acme/t1, through <c>AddChatClient(provider).UseAiOrchestrator()</c> with a durable journal
/// and a LiteDB usage store in a temporary folder, against a $1.00 team wallet (under a $1,000 organisation wallet).
/// It waits for every caller, flushes the ledger and the store, reads what the tests assert on, then disposes the
/// services (which closes the ledger) and deletes the folder. Only the public API is used.
/// </summary>
public abstract class ChatLoadRun : IAsyncLifetime, IBudgetLoadRun
{
    public const int Callers = 4000;
    public const decimal TeamLimit = 1.00m;
    public const decimal OrgLimit = 1000m;

    // gpt-4o-mini, per token.
    public const decimal OutputPricePerToken = 0.60m / 1_000_000m;

    public static readonly WalletId Team = WalletId.ForTeam("acme", "t1");
    public static readonly WalletId Org = WalletId.ForOrganization("acme");

    private static readonly string LargeText = BuildLargeText(61_000);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aiorchestrator-load-" + Guid.NewGuid().ToString("N"));

    /// <param name="callsPerCaller">Calls each caller makes at most, one after another.</param>
    /// <param name="refusalsPerCaller">A caller stops after this many refusals.</param>
    protected ChatLoadRun(int callsPerCaller, int refusalsPerCaller)
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

    /// <summary>The usage store's spend for the team's scope (organisation acme, team t1).</summary>
    public IReadOnlyList<SpendSummary> TeamSpend { get; private set; } = [];

    public IReadOnlyList<UsageRecord> TeamRecords { get; private set; } = [];

    /// <summary>What the fake provider deliberately reported past the caps it was sent.</summary>
    public long OverrunTokens { get; private set; }

    public int OverrunCalls { get; private set; }

    public int ProviderCalls { get; private set; }

    /// <summary>The excess over the limit that provider-reported overruns can explain: overrun tokens at the output price.</summary>
    public decimal AllowedExcess => OverrunTokens * OutputPricePerToken;

    public IReadOnlyList<CallerResult> Results { get; private set; } = [];

    int IBudgetLoadRun.Callers => Callers;

    decimal IBudgetLoadRun.TeamLimit => TeamLimit;

    int IBudgetLoadRun.CallsMade => Results.Count;

    int IBudgetLoadRun.Refusals => Results.Count(r => r.Outcome == CallerOutcome.Refused);

    int IBudgetLoadRun.Answers => Results.Count(r => r.Outcome == CallerOutcome.Answered);

    IEnumerable<string> IBudgetLoadRun.UnexpectedOutcomes => Results
        .Where(r => r.Outcome == CallerOutcome.Unexpected)
        .Select(r => $"{r.Kind}: {r.Error?.GetType().Name ?? "no error"} {r.Error?.Message}");

    public TimeSpan LoadTime { get; private set; }

    public TimeSpan TotalTime { get; private set; }

    public async Task InitializeAsync()
    {
        var total = Stopwatch.StartNew();
        Directory.CreateDirectory(_folder);
        var provider = new LoadChatClient();
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
        services.AddChatClient(provider).UseAiOrchestrator();

        var sp = services.BuildServiceProvider();
        try
        {
            var chat = sp.GetRequiredService<IChatClient>();
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
                var results = new List<CallerResult>();
                var refusals = 0;
                using (AiScope.Begin(organization: "acme", team: "t1"))
                {
                    for (var j = 0; j < CallsPerCaller && refusals < RefusalsPerCaller; j++)
                    {
                        var result = await RunAsync(chat, PlannedCall.For((i * CallsPerCaller) + j));
                        refusals += result.Outcome == CallerOutcome.Refused ? 1 : 0;
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
            OverrunTokens = provider.OverrunTokensReported;
            OverrunCalls = provider.OverrunCalls;
            ProviderCalls = provider.ProviderCalls;
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

    /// <summary>A readable account of the run, for the test output.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"load {LoadTime.TotalSeconds:F1} s, whole fixture {TotalTime.TotalSeconds:F1} s; {Callers} callers made {Results.Count} calls (at most {CallsPerCaller} each, stopping after {RefusalsPerCaller} refusals), {ProviderCalls} reached the provider");
        foreach (var group in Results.GroupBy(r => r.Kind).OrderBy(g => g.Key))
        {
            text.AppendLine($"  {group.Key,-18} {group.Count(),5} calls: " + string.Join(", ", group.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        }

        var overspend = TeamWallet.Spent.Amount - TeamLimit;
        text.AppendLine($"team spent {TeamWallet.Spent.Amount} of {TeamLimit} (over by {overspend} = {overspend / TeamLimit:P2}), reserved {TeamWallet.Reserved.Amount}");
        text.AppendLine($"provider-reported overruns: {OverrunCalls} calls, {OverrunTokens} tokens, allowed excess {AllowedExcess}");
        text.AppendLine($"ledger-recorded overruns on the team wallet: {TeamHistory.Count(t => t.Overrun > 0m)} settlements, {TeamHistory.Sum(t => t.Overrun)}");
        text.AppendLine($"usage store for acme/t1: {TeamSpend.Sum(s => s.Cost.Amount)} over {TeamSpend.Sum(s => s.Calls)} records; " +
            string.Join(", ", TeamRecords.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()} (${g.Sum(r => r.Cost.Amount)})")));
        return text.ToString();
    }

    private static async Task<CallerResult> RunAsync(IChatClient chat, PlannedCall call)
    {
        var options = new ChatOptions
        {
            MaxOutputTokens = call.MaxOutputTokens,
            AdditionalProperties = new AdditionalPropertiesDictionary
            {
                [LoadChatClient.KindKey] = call.Kind,
                [LoadChatClient.WantedOutputKey] = call.WantedOutput,
            },
        };
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, "You are a helpful assistant for the acme search team."),
            new(ChatRole.User, call.Prompt),
        };

        try
        {
            switch (call.Kind)
            {
                case LoadCallKind.Plain or LoadCallKind.LargePrompt or LoadCallKind.PlainWithoutUsage or LoadCallKind.ProviderOverrun:
                    var response = await chat.GetResponseAsync(messages, options);
                    return new CallerResult(call.Kind, response.Text.Length > 0 ? CallerOutcome.Answered : CallerOutcome.Unexpected, null);

                case LoadCallKind.StreamToEnd or LoadCallKind.StreamWithoutUsage or LoadCallKind.StreamFails:
                    await foreach (var _ in chat.GetStreamingResponseAsync(messages, options))
                    {
                    }

                    return new CallerResult(call.Kind, call.Kind == LoadCallKind.StreamFails ? CallerOutcome.Unexpected : CallerOutcome.Answered, null);

                case LoadCallKind.StreamAbandoned:
                    var read = 0;
                    await foreach (var _ in chat.GetStreamingResponseAsync(messages, options))
                    {
                        if (++read == 2)
                        {
                            break;
                        }
                    }

                    return new CallerResult(call.Kind, CallerOutcome.Abandoned, null);

                case LoadCallKind.StreamCancelled:
                    using (var cts = new CancellationTokenSource())
                    {
                        var seen = 0;
                        await foreach (var _ in chat.GetStreamingResponseAsync(messages, options, cts.Token))
                        {
                            if (++seen == 3)
                            {
                                await cts.CancelAsync();
                            }
                        }
                    }

                    return new CallerResult(call.Kind, CallerOutcome.Unexpected, null);

                default:
                    throw new InvalidOperationException(call.Kind.ToString());
            }
        }
        catch (BudgetExceededException)
        {
            return new CallerResult(call.Kind, CallerOutcome.Refused, null);
        }
        catch (OperationCanceledException) when (call.Kind == LoadCallKind.StreamCancelled)
        {
            return new CallerResult(call.Kind, CallerOutcome.Cancelled, null);
        }
        catch (IOException) when (call.Kind == LoadCallKind.StreamFails)
        {
            return new CallerResult(call.Kind, CallerOutcome.Failed, null);
        }
        catch (Exception ex)
        {
            return new CallerResult(call.Kind, CallerOutcome.Unexpected, ex);
        }
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

    /// <summary>One caller's plan, the same for the same index on every run.</summary>
    internal sealed record PlannedCall(LoadCallKind Kind, string Prompt, int? MaxOutputTokens, int WantedOutput)
    {
        public static PlannedCall For(int index)
        {
            var random = new Random(index);
            var roll = random.Next(1000);
            var kind = roll switch
            {
                < 250 => LoadCallKind.Plain,
                < 350 => LoadCallKind.LargePrompt,
                < 530 => LoadCallKind.StreamToEnd,
                < 650 => LoadCallKind.StreamAbandoned,
                < 760 => LoadCallKind.StreamCancelled,
                < 850 => LoadCallKind.StreamFails,
                < 910 => LoadCallKind.PlainWithoutUsage,
                < 990 => LoadCallKind.StreamWithoutUsage,
                _ => LoadCallKind.ProviderOverrun, // 1 %
            };
            var prompt = kind == LoadCallKind.LargePrompt
                ? LargeText[..random.Next(40_000, 60_001)]
                : $"Caller {index}: why did the ranking of query #{random.Next(100_000)} change after the last release? Answer briefly.";
            int? cap = random.Next(3) == 0 ? null : random.Next(200, 2_001); // unset: the budget stage reserves its default
            // Three answers in four are long enough to use their whole output cap (the worst case the reservation holds).
            var wanted = random.Next(4) != 0 ? 100_000 : random.Next(50, 1_500);
            return new PlannedCall(kind, prompt, cap, wanted);
        }
    }
}

/// <summary>
/// One call per caller: the barrier releases 4,000 calls at once, their reservations take the whole wallet, and what
/// they settle is final (no later call uses what they leave).
/// </summary>
public sealed class BurstChatLoadRun() : ChatLoadRun(callsPerCaller: 1, refusalsPerCaller: 1);

/// <summary>
/// Up to 8 calls per caller, each stopping after 2 refusals: after the first wave, calls keep coming (their output
/// caps clamped to what is left) as money is freed, so the spend is driven to the limit, where an overspend shows.
/// </summary>
public sealed class SustainedChatLoadRun() : ChatLoadRun(callsPerCaller: 8, refusalsPerCaller: 2);

public enum CallerOutcome
{
    Answered,
    Abandoned,
    Cancelled,
    Failed,
    Refused,
    Unexpected,
}

public sealed record CallerResult(LoadCallKind Kind, CallerOutcome Outcome, Exception? Error);
