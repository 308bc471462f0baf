// Semantic Kernel sample: a kernel whose prompt functions call the model through the AiOrchestrator pipeline.
// A function filter takes the team and user from the function's arguments and makes them the ambient AiScope, so
// every call is metered, priced and budgeted for that team. With no configuration it runs offline against the
// built-in simulated provider; set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, OPENAI_MODEL) to call OpenAI.
using System.ClientModel;
using System.Globalization;
using AiOrchestrator;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Simulation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using OpenAI;
using SemanticKernelSample;

var storePath = Path.Combine(Path.GetTempPath(), "aiorchestrator-semantickernel.db");
File.Delete(storePath);
File.Delete(Path.ChangeExtension(storePath, null) + "-log.db");

// 1. AiOrchestrator: the usage store and meter, and a budget ledger with one small team wallet.
await using var services = new ServiceCollection()
    .AddAiOrchestrator(options =>
    {
        options.StorePath = storePath;
        options.DefaultScope = new AiScope { Organization = "acme", App = "sk-sample" };
    })
    .AddBudgetLedger(configure: budgets =>
    {
        // In memory: every run starts with a full wallet (unset, the journal would be a file beside the usage store).
        budgets.StorePath = ":memory:";
        budgets.Wallets.Add(new WalletOptions { Id = "team:acme/research", Limit = 0.0001m, Period = BudgetPeriod.Day });
    })
    .BuildServiceProvider(validateScopes: true);

// 2. The provider, wrapped in the pipeline: Semantic Kernel's tool loop outermost (so each round trip of automatic
//    function calling is a separate, budgeted and metered call), then budgets, then metering next to the provider.
var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
var model = Environment.GetEnvironmentVariable("OPENAI_MODEL") ?? "gpt-4o-mini";
IChatClient provider = apiKey is null
    ? new SimulatedChatClient(new SimulatedChatClientOptions { DefaultModelId = model })
    : new OpenAIClient(new ApiKeyCredential(apiKey), Environment.GetEnvironmentVariable("OPENAI_BASE_URL") is { Length: > 0 } url
            ? new OpenAIClientOptions { Endpoint = new Uri(url) }
            : new OpenAIClientOptions())
        .GetChatClient(model).AsIChatClient();

using var chat = new ChatClientBuilder(provider)
    .UseKernelFunctionInvocation()
    .UseAiOrchestrator()
    .Build(services);

// 3. The kernel: the pipeline is its IChatClient, and the filter sets the scope of every function call.
var kernelBuilder = Kernel.CreateBuilder();
kernelBuilder.Services.AddSingleton(chat);
kernelBuilder.Services.AddSingleton<IFunctionInvocationFilter, ScopeFromArgumentsFilter>();
var kernel = kernelBuilder.Build();

var summarise = kernel.CreateFunctionFromPrompt("Summarise in one sentence for a busy reader: {{$input}}", functionName: "summarise");

Console.WriteLine($"AiOrchestrator with Semantic Kernel — provider: {(apiKey is null ? "simulated (offline)" : "OpenAI")}, model: {model}");
Console.WriteLine();

string[] documents =
[
    "Incident 4711: the search index in eu-west was rebuilt after a failed deployment; queries were slow for 40 minutes.",
    "The support team closed 1,240 tickets last week, 8% more than the week before; refunds were the top topic.",
    "Quarterly planning: the research group will evaluate three embedding models and report on cost per query.",
];

// Team "search" (user dana) invokes the function; team "support" (user lee) streams it.
foreach (var document in documents)
{
    var result = await kernel.InvokeAsync(summarise, new() { ["input"] = document, ["team"] = "search", ["user"] = "dana" });
    Console.WriteLine($"[search]   {Shorten(result.GetValue<string>() ?? "")}");

    var streamed = new System.Text.StringBuilder();
    await foreach (var chunk in kernel.InvokeStreamingAsync(summarise, new() { ["input"] = document, ["team"] = "support", ["user"] = "lee" }))
    {
        streamed.Append(chunk);
    }

    Console.WriteLine($"[support]  {Shorten(streamed.ToString())} (streamed)");
}

// Team "research" has a wallet of $0.0001 a day: its calls are served until the wallet cannot cover the next one.
foreach (var document in documents)
{
    try
    {
        var result = await kernel.InvokeAsync(summarise, new() { ["input"] = document, ["team"] = "research", ["user"] = "kim" });
        Console.WriteLine($"[research] {Shorten(result.GetValue<string>() ?? "")}");
    }
    catch (BudgetExceededException refused)
    {
        // Semantic Kernel rethrows the pipeline's exception as it is; refused.Wallet names the wallet that said no.
        Console.WriteLine($"[research] refused before the call was sent: {refused.Message}");
    }
}

// 4. What each team spent, per model, from the usage records.
var store = services.GetRequiredService<IUsageStore>();
var report = await store.GetSpendAsync(new SpendQuery { Organization = "acme", GroupBy = SpendGrouping.Team | SpendGrouping.Model });

Console.WriteLine();
Console.WriteLine("Spend by team and model");
Console.WriteLine($"{"team",-10}{"model",-26}{"calls",6}{"input",9}{"output",8}{"cost (USD)",16}");
foreach (var row in report)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{row.Team,-10}{row.Model,-26}{row.Calls,6}{row.Usage.InputTokens,9}{row.Usage.OutputTokens,8}{row.Cost.Amount,16:0.000000000}"));
}

Console.WriteLine();
Console.WriteLine($"Usage records are kept in {storePath}.");

static string Shorten(string text) => text.Length <= 100 ? text : text[..97] + "...";
