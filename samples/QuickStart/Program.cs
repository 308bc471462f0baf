// QuickStart: meters a batch of calls for two teams through the AiOrchestrator pipeline, enforces their budgets
// (team "support" runs out; team "search" carries on) and prints what each team spent, per model. With no
// configuration it runs offline against the built-in simulated provider; set OPENAI_API_KEY (and optionally
// OPENAI_BASE_URL for an OpenAI-compatible server) to call a real provider.
using System.ClientModel;
using System.Globalization;
using AiOrchestrator;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Simulation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

var storePath = Path.Combine(Path.GetTempPath(), "aiorchestrator-quickstart.db");
var journalPath = Path.Combine(Path.GetTempPath(), "aiorchestrator-quickstart.budget.journal");
foreach (var file in new[] { storePath, Path.ChangeExtension(storePath, null) + "-log.db", journalPath, journalPath + ".snapshot" })
{
    File.Delete(file);
}

await using var services = new ServiceCollection()
    .AddLogging()
    .AddAiOrchestrator(options =>
    {
        options.StorePath = storePath;
        options.DefaultScope = new AiScope { Organization = "acme", App = "quickstart" };
    })
    .AddBudgetLedger(configure: budgets =>
    {
        budgets.StorePath = journalPath;
        budgets.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 5m, Period = BudgetPeriod.Month });
        budgets.Wallets.Add(new WalletOptions { Id = "team:acme/search", Limit = 1m, Period = BudgetPeriod.Day });
        budgets.Wallets.Add(new WalletOptions { Id = "team:acme/support", Limit = 0.003m, Period = BudgetPeriod.Day });
    })
    .BuildServiceProvider(validateScopes: true);

var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
var (provider, smallModel, largeModel) = apiKey is null
    ? ("simulated (offline)", "gpt-4o-mini", "gpt-4o")
    : ("OpenAI", Environment.GetEnvironmentVariable("OPENAI_SMALL_MODEL") ?? "gpt-4o-mini", Environment.GetEnvironmentVariable("OPENAI_LARGE_MODEL") ?? "gpt-4o");

IChatClient Provider(string model) => apiKey is null
    ? new SimulatedChatClient(new SimulatedChatClientOptions { DefaultModelId = model, FirstTokenLatency = TimeSpan.FromMilliseconds(15), ChunkLatency = TimeSpan.FromMilliseconds(1) })
    : new OpenAIClient(new ApiKeyCredential(apiKey), BaseUrl() is { } url ? new OpenAIClientOptions { Endpoint = url } : new OpenAIClientOptions())
        .GetChatClient(model).AsIChatClient();

static Uri? BaseUrl() => Environment.GetEnvironmentVariable("OPENAI_BASE_URL") is { Length: > 0 } url ? new Uri(url) : null;

using var small = new ChatClientBuilder(Provider(smallModel)).UseAiOrchestrator().Build(services);
using var large = new ChatClientBuilder(Provider(largeModel)).UseAiOrchestrator().Build(services);

Console.WriteLine($"AiOrchestrator QuickStart — provider: {provider}");
Console.WriteLine();

const string SystemPrompt = "You are a helpful assistant for Acme's internal tools. Answer briefly and precisely.";
string[] questions =
[
    "How do I reset my password?",
    "Summarise last week's incident report in three bullet points.",
    "Which regions does our search index cover?",
    "Draft a friendly reply to a customer asking for a refund.",
    "What is the difference between a soft and a hard budget limit?",
];

// Team "search" asks the small model; team "support" asks the large one and streams its answers.
foreach (var question in questions)
{
    using (AiScope.Begin(organization: "acme", team: "search", user: "dana"))
    {
        var answer = await small.GetResponseAsync([new(ChatRole.System, SystemPrompt), new(ChatRole.User, question)]);
        Console.WriteLine($"[search]  {question}\n          → {Shorten(answer.Text)}");
    }

    using (AiScope.Begin(organization: "acme", team: "support", user: "lee"))
    {
        try
        {
            var text = new System.Text.StringBuilder();
            await foreach (var update in large.GetStreamingResponseAsync([new(ChatRole.System, SystemPrompt), new(ChatRole.User, question)]))
            {
                text.Append(update.Text);
            }

            Console.WriteLine($"[support] {question}\n          → {Shorten(text.ToString())} (streamed)");
        }
        catch (BudgetExceededException ex)
        {
            // Refused before the provider was called: nothing was spent.
            Console.WriteLine($"[support] {question}\n          ✗ {ex.Message}");
        }
    }
}

// The per-call options can also carry the scope, and win over the ambient one.
var tagged = new ChatOptions { AdditionalProperties = new() { [AiScopeKeys.Team] = "search", [AiScopeKeys.Feature] = "triage" } };
await small.GetResponseAsync("Classify: 'my invoice is wrong'", tagged);

var store = services.GetRequiredService<IUsageStore>();
var report = await store.GetSpendAsync(new SpendQuery { Organization = "acme", GroupBy = SpendGrouping.Team | SpendGrouping.Model });

Console.WriteLine();
Console.WriteLine("Spend by team and model");
Console.WriteLine($"{"team",-10}{"model",-26}{"calls",6}{"input",9}{"cached",8}{"output",8}{"cost (USD)",16}");
foreach (var row in report)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{row.Team,-10}{row.Model,-26}{row.Calls,6}{row.Usage.InputTokens,9}{row.Usage.CachedInputTokens,8}{row.Usage.OutputTokens,8}{row.Cost.Amount,16:0.000000000}"));
}

var total = await store.GetSpendAsync(new SpendQuery { Organization = "acme" });
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-10}{"",-26}{total[0].Calls,6}{total[0].Usage.InputTokens,9}{total[0].Usage.CachedInputTokens,8}{total[0].Usage.OutputTokens,8}{total[0].Cost.Amount,16:0.000000000}"));
Console.WriteLine();
Console.WriteLine("Wallets");
var ledger = services.GetRequiredService<IBudgetLedger>();
foreach (var wallet in ledger.GetWallets())
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{wallet.Id.Value,-20} spent {wallet.Spent.Amount,12:0.000000000} of {wallet.Limit.Amount.Amount,6:0.###} {wallet.Limit.Amount.Currency} a {wallet.Limit.Period.ToString().ToLowerInvariant()}, reserved {wallet.Reserved.Amount:0.######}"));
}

Console.WriteLine();
Console.WriteLine($"Usage records are kept in {storePath}; the budget journal in {journalPath}.");

static string Shorten(string text) => text.Length <= 70 ? text : text[..67] + "...";
