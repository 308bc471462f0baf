// HttpClientPipeline: an app that calls an OpenAI-compatible REST endpoint directly with HttpClient and raw JSON,
// budgeted and metered by AiOrchestrator's handler, composed with the standard resilience handler. Offline it talks
// to a small stand-in provider on 127.0.0.1; set OPENAI_API_KEY (and optionally OPENAI_BASE_URL) to call a real one.
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AiOrchestrator;
using AiOrchestrator.Budgets;
using AiOrchestrator.Http;
using AiOrchestrator.Metering;
using HttpClientPipeline;
using Microsoft.Extensions.DependencyInjection;

var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
await using var fake = apiKey is null ? await FakeProvider.StartAsync() : null;
var baseUrl = fake?.Urls.First() ?? Environment.GetEnvironmentVariable("OPENAI_BASE_URL") ?? "https://api.openai.com";
var model = Environment.GetEnvironmentVariable("OPENAI_MODEL") ?? "gpt-4o-mini";

var services = new ServiceCollection();
services.AddAiOrchestrator(o =>
{
    o.StorePath = ":memory:";
    o.DefaultScope = new AiScope { Organization = "acme", App = "http-sample" };
});
services.AddBudgetLedger(configure: o =>
{
    o.Wallets.Add(new WalletOptions { Id = "org:acme", Limit = 5m });
    o.Wallets.Add(new WalletOptions { Id = "team:acme/interns", Limit = 0.000001m });
});
services.AddHttpClient("llm", client =>
    {
        client.BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/");
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    })
    .AddAiOrchestratorHandler()
    .AddStandardResilienceHandler();
await using var provider = services.BuildServiceProvider();
var llm = provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

Console.WriteLine($"AiOrchestrator HttpClient pipeline — {(fake is null ? baseUrl : "local stand-in provider at " + baseUrl)}, model {model}");

// 1. A buffered call: the body is the caller's own JSON; the response bytes are the provider's, unchanged.
var question = "In one sentence, what does a budget reservation do?";
using (var response = await llm.PostAsync("v1/chat/completions", Json($$"""
    {"model":"{{model}}","max_completion_tokens":200,"messages":[{"role":"user","content":"{{question}}"}]}
    """)))
{
    response.EnsureSuccessStatusCode();
    Console.WriteLine($"\nBuffered: {(await response.Content.ReadAsStringAsync()).Length} bytes of JSON from the provider.");
}

// 2. A streamed call: read the server-sent events as they arrive; metering happens as the bytes pass.
using (var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions"))
{
    request.Content = Json($$"""
        {"model":"{{model}}","max_completion_tokens":200,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{question}}"}]}
        """);
    request.Options.Set(AiRequestOptions.Scope, new AiScope { Team = "research", User = "dana" });
    using var response = await llm.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
    Console.Write("Streamed: ");
    while (await reader.ReadLineAsync() is { } line && line != "data: [DONE]")
    {
        const string Marker = "\"content\":\"";
        var start = line.IndexOf(Marker, StringComparison.Ordinal);
        if (start >= 0)
        {
            var text = line[(start + Marker.Length)..];
            Console.Write(text[..text.IndexOf('"', StringComparison.Ordinal)]);
        }
    }

    Console.WriteLine();
}

// 3. A call the team's wallet cannot cover is refused before it is sent. (A wallet that can pay for part of the
//    cap is not refused: the request is sent with max_completion_tokens lowered to what the wallet can pay for.)
using (AiScope.Begin(organization: "acme", team: "interns", user: "sam"))
{
    try
    {
        using var refused = await llm.PostAsync("v1/chat/completions", Json($$"""
            {"model":"{{model}}","max_completion_tokens":4000,"messages":[{"role":"user","content":"Write a long essay."}]}
            """));
    }
    catch (BudgetExceededException ex)
    {
        Console.WriteLine($"\nRefused: {ex.Message}");
    }
}

Console.WriteLine("\nUsage records:");
var store = provider.GetRequiredService<IUsageStore>();
foreach (var record in await store.GetRecordsAsync(new SpendQuery()))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {record.Scope,-50} {record.Model,-14} {record.Outcome,-9} in {record.Usage.InputTokens,5} out {record.Usage.OutputTokens,4}{(record.Usage.IsEstimated ? " (est.)" : string.Empty),-7} {record.Cost.Amount,12:0.000000} {record.Cost.Currency}{(record.Streaming ? $"  streamed, first token after {record.TimeToFirstToken?.TotalMilliseconds:0} ms" : string.Empty)}"));
}

var wallet = provider.GetRequiredService<IBudgetLedger>().GetWallet(WalletId.ForOrganization("acme"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nWallet {wallet.Id}: spent {wallet.Spent}, reserved {wallet.Reserved}, available {wallet.Available} of {wallet.Limit.Amount}."));

static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
