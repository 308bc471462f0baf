using AiOrchestrator.Http.Tests.TestDoubles;
using AiOrchestrator.Pricing;
using AiOrchestrator.Tests.Providers;

namespace AiOrchestrator.Http.Tests.Pipeline;

/// <summary>Which provider an HTTP call is priced under: the endpoint the catalog knows, else the format's list, flagged.</summary>
public class ProviderResolutionTests
{
    private static readonly OpenAIWireUsage Usage = new(PromptTokens: 10_000, CompletionTokens: 2_000);

    [Fact]
    public async Task A_call_to_an_endpoint_the_catalog_knows_is_priced_under_that_provider()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("llama-3.1-70b-versatile", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler);

        using var response = await host.Client.SendAsync(Requests.Post("https://api.groq.com/openai/v1/chat/completions", Requests.Chat("llama-3.1-70b-versatile")));
        response.EnsureSuccessStatusCode();

        // Groq: 10,000 x 0.59 + 2,000 x 0.79 = 7,480 per million.
        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Provider.Should().Be("groq");
        record.UsedFallbackProvider.Should().BeFalse();
        record.Cost.Should().Be(Money.Usd(0.00748m));
    }

    [Fact]
    public async Task A_model_the_formats_list_lacks_on_an_unknown_host_is_refused_before_it_is_sent()
    {
        var handler = new CannedHandler(OpenAIWire.ChatCompletion("llama-3.1-70b-versatile", "Forty-two.", Usage), LlmServer.Json);
        await using var host = new HttpTestHost(handler);

        var send = () => host.Client.SendAsync(Requests.Post("http://llm.test" + Requests.ChatPath, Requests.Chat("llama-3.1-70b-versatile")));

        (await send.Should().ThrowAsync<UnpricedModelException>()).Which.Reason.Should().Be(UnpricedReason.UnknownModel);
        handler.Requests.Should().BeEmpty();
    }
}
