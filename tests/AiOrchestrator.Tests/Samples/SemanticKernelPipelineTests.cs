using System.Text;
using AiOrchestrator.Budgets;
using AiOrchestrator.Metering;
using AiOrchestrator.Simulation;
using AiOrchestrator.Tests.Metering;
using AiOrchestrator.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using SemanticKernelSample;

namespace AiOrchestrator.Tests.Samples;

/// <summary>
/// The pipeline as Semantic Kernel's <see cref="IChatClient"/>, with the scope set by the sample's function filter:
/// what samples/SemanticKernel does, in process, offline, on an in-memory store.
/// </summary>
public class SemanticKernelPipelineTests
{
    private const string Prompt = "Summarise in one sentence: {{$input}}";
    private const string Document = "The search index in eu-west was rebuilt after a failed deployment; queries were slow for 40 minutes.";
    private static readonly WalletId Research = WalletId.ForTeam("acme", "research");

    private static MeteringTestHost Host(decimal researchLimit = 1m) => new(
        provider: new SimulatedChatClient(new SimulatedChatClientOptions { DefaultModelId = "gpt-4o-mini" }),
        budgets: o => o.Wallets.Add(new WalletOptions { Id = Research.Value, Limit = researchLimit, Period = BudgetPeriod.Day }));

    private static Kernel KernelOver(MeteringTestHost host) => KernelOver(host.Client);

    private static Kernel KernelOver(IChatClient chat)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(chat);
        builder.Services.AddSingleton<IFunctionInvocationFilter, ScopeFromArgumentsFilter>();
        return builder.Build();
    }

    private static KernelArguments For(string team, string user) => new() { ["input"] = Document, ["team"] = team, ["user"] = user };

    // gpt-4o-mini: $0.15 input, $0.60 output per million tokens; the simulated provider reports no cached input here.
    private static Money ExpectedCost(TokenUsage usage) => Money.Usd(((usage.InputTokens * 0.15m) + (usage.OutputTokens * 0.60m)) / 1_000_000m);

    [Fact]
    public async Task Prompt_functions_are_metered_for_the_team_and_user_the_filter_reads_from_the_arguments()
    {
        await using var host = Host();
        var kernel = KernelOver(host);
        var summarise = kernel.CreateFunctionFromPrompt(Prompt, functionName: "summarise");

        var search = await kernel.InvokeAsync(summarise, For("search", "dana"));
        var support = await kernel.InvokeAsync(summarise, For("support", "lee"));

        search.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        support.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        AiScope.Current.Should().BeNull("the filter's scope ends with the function");

        var records = await host.RecordsAsync();
        records.Select(r => (r.Scope.Team, r.Scope.User)).Should().BeEquivalentTo([("search", "dana"), ("support", "lee")]);
        foreach (var record in records)
        {
            record.Scope.Organization.Should().Be("acme", "the configured default organisation pays");
            record.Scope.Feature.Should().Be("summarise", "the filter names the function as the feature");
            record.Provider.Should().Be("openai");
            record.Model.Should().Be("gpt-4o-mini");
            record.Outcome.Should().Be(CallOutcome.Succeeded);
            record.Streaming.Should().BeFalse();
            record.Usage.IsEstimated.Should().BeFalse("the provider reported usage");
            record.Usage.InputTokens.Should().BePositive();
            record.Usage.OutputTokens.Should().BePositive();
            record.Cost.Amount.Should().BePositive();
            record.Cost.Should().Be(ExpectedCost(record.Usage));
        }

        var byTeam = await host.Store.GetSpendAsync(new SpendQuery { GroupBy = SpendGrouping.Team | SpendGrouping.Model });
        byTeam.Select(r => (r.Team, r.Model, r.Calls)).Should().BeEquivalentTo([("search", "gpt-4o-mini", 1L), ("support", "gpt-4o-mini", 1L)]);
    }

    [Fact]
    public async Task Streaming_through_the_kernel_is_metered_for_the_filter_scope_although_the_stream_is_read_after_the_filter_returned()
    {
        await using var host = Host();
        var kernel = KernelOver(host);
        var summarise = kernel.CreateFunctionFromPrompt(Prompt, functionName: "summarise");

        var content = new StringBuilder();
        await foreach (var chunk in kernel.InvokeStreamingAsync(summarise, For("support", "lee")))
        {
            content.Append(chunk);
        }

        var text = new StringBuilder();
        await foreach (var chunk in kernel.InvokeStreamingAsync<string>(summarise, For("search", "dana")))
        {
            text.Append(chunk);
        }

        content.ToString().Should().NotBeNullOrWhiteSpace();
        text.ToString().Should().Be(content.ToString(), "the simulated provider answers the same prompt the same way");

        var records = await host.RecordsAsync();
        records.Select(r => (r.Scope.Team, r.Scope.User)).Should().BeEquivalentTo([("support", "lee"), ("search", "dana")]);
        foreach (var record in records)
        {
            record.Streaming.Should().BeTrue();
            record.Model.Should().Be("gpt-4o-mini");
            record.Outcome.Should().Be(CallOutcome.Succeeded);
            record.Usage.IsEstimated.Should().BeFalse("the stream's usage update was read");
            record.Cost.Amount.Should().BePositive();
            record.Cost.Should().Be(ExpectedCost(record.Usage));
        }
    }

    [Fact]
    public async Task A_function_whose_arguments_name_no_team_keeps_the_callers_ambient_scope()
    {
        await using var host = Host();
        var kernel = KernelOver(host);
        var summarise = kernel.CreateFunctionFromPrompt(Prompt, functionName: "summarise");

        using (AiScope.Begin(organization: "acme", team: "ops", user: "sam"))
        {
            await kernel.InvokeAsync(summarise, new() { ["input"] = Document, ["user"] = "alex" });
            AiScope.Current!.User.Should().Be("sam", "the caller's scope is restored after the function");
        }

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Scope.Team.Should().Be("ops");
        record.Scope.User.Should().Be("alex", "the argument wins over the ambient user");
    }

    [Fact]
    public async Task A_budget_refusal_surfaces_through_the_kernel_as_BudgetExceededException_naming_the_wallet()
    {
        // $0.000001 cannot pay for the prompt's input tokens (about $0.000005), so the call is refused before it is sent.
        await using var host = Host(researchLimit: 0.000001m);
        var kernel = KernelOver(host);
        var summarise = kernel.CreateFunctionFromPrompt(Prompt, functionName: "summarise");

        // Semantic Kernel rethrows what the chat client threw, so callers can catch BudgetExceededException itself.
        var invoke = async () => await kernel.InvokeAsync(summarise, For("research", "kim"));
        var refused = (await invoke.Should().ThrowExactlyAsync<BudgetExceededException>()).Which;
        refused.Wallet.Should().Be(Research);
        refused.Message.Should().Contain("team:acme/research").And.Contain("raise the limit, top up the wallet");
        refused.Limit.Amount.Should().Be(Money.Usd(0.000001m));

        // A stream is refused too, when it is read.
        var stream = async () =>
        {
            await foreach (var chunk in kernel.InvokeStreamingAsync(summarise, For("research", "kim")))
            {
                _ = chunk;
            }
        };
        (await stream.Should().ThrowExactlyAsync<BudgetExceededException>()).Which.Wallet.Should().Be(Research);

        // Another team's calls are not affected.
        await kernel.InvokeAsync(summarise, For("search", "dana"));

        var records = await host.RecordsAsync();
        records.Where(r => r.Scope.Team == "research").Should().HaveCount(2)
            .And.OnlyContain(r => r.Outcome == CallOutcome.Rejected && r.Cost.Amount == 0m && r.Scope.User == "kim");
        records.Where(r => r.Scope.Team == "search").Should().ContainSingle().Which.Outcome.Should().Be(CallOutcome.Succeeded);
        host.Services.GetRequiredService<IBudgetLedger>().GetWallet(Research).Spent.Amount.Should().Be(0m);
    }

    [Fact]
    public async Task Each_round_trip_of_automatic_function_calling_is_metered_and_the_tool_runs_in_the_callers_scope()
    {
        // The simulated provider never asks for tools, so a scripted provider does: first a tool call, then the answer.
        var provider = new TestChatClient();
        provider.GetResponseAsyncCallback = (messages, options, _) =>
        {
            var toolResult = messages.SelectMany(m => m.Contents).OfType<Microsoft.Extensions.AI.FunctionResultContent>().Any();
            var reply = toolResult
                ? new ChatMessage(ChatRole.Assistant, "Ticket 42 is about a refund.")
                : new ChatMessage(ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent("call-1", options!.Tools!.Single().Name, new Dictionary<string, object?> { ["id"] = 42 })]);
            return Task.FromResult(new ChatResponse(reply)
            {
                ModelId = "gpt-4o",
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = toolResult ? 20 : 10, TotalTokenCount = toolResult ? 120 : 110 },
            });
        };

        await using var host = new MeteringTestHost(provider: provider);

        // Semantic Kernel runs the tool loop only in its own invoking client; outermost, so every round trip is
        // budgeted and metered.
        using var chat = new ChatClientBuilder(provider).UseKernelFunctionInvocation().UseAiOrchestrator().Build(host.Services);
        var kernel = KernelOver(chat);
        AiScope? toolScope = null;
        kernel.Plugins.AddFromFunctions("tickets", [kernel.CreateFunctionFromMethod((int id) =>
        {
            toolScope = AiScope.Current;
            return $"Ticket {id}: customer asks for a refund.";
        }, "lookup")]);
        var summarise = kernel.CreateFunctionFromPrompt(Prompt, functionName: "summarise");

        var arguments = new KernelArguments(new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() })
        {
            ["input"] = "ticket 42",
            ["team"] = "support",
            ["user"] = "lee",
        };
        var result = await kernel.InvokeAsync(summarise, arguments);

        result.GetValue<string>().Should().Be("Ticket 42 is about a refund.");
        provider.Calls.Should().Be(2);
        toolScope.Should().NotBeNull();
        (toolScope!.Team, toolScope.User, toolScope.Feature).Should().Be(("support", "lee", "summarise"), "the tool's arguments name no team, so the caller's scope is kept");

        // gpt-4o: $2.50 input, $10 output per million: (100 × 2.50 + 10 × 10) and (100 × 2.50 + 20 × 10) per million.
        var records = await host.RecordsAsync();
        records.Should().HaveCount(2).And.OnlyContain(r => r.Scope.Team == "support" && r.Scope.User == "lee" && r.Model == "gpt-4o");
        records.Select(r => r.Cost).Should().BeEquivalentTo([Money.Usd(0.00035m), Money.Usd(0.00045m)]);
    }

    [Fact]
    public async Task The_model_id_of_the_execution_settings_is_the_model_the_call_asks_for_and_is_priced_at()
    {
        await using var host = Host();
        var kernel = KernelOver(host);
        var summarise = kernel.CreateFunctionFromPrompt(Prompt, new PromptExecutionSettings { ModelId = "gpt-4o" }, functionName: "summarise");

        await kernel.InvokeAsync(summarise, For("search", "dana"));

        var record = (await host.RecordsAsync()).Should().ContainSingle().Subject;
        record.Model.Should().Be("gpt-4o");
        record.Cost.Should().Be(Money.Usd(((record.Usage.InputTokens * 2.50m) + (record.Usage.OutputTokens * 10m)) / 1_000_000m));
    }
}
