using Xunit.Abstractions;

namespace AiOrchestrator.Tests.Load;

// Through the whole IChatClient pipeline (UseAiOrchestrator()): plain calls, 40-60 KB prompts, streams read to the
// end, abandoned, cancelled and failing mid-way, responses without usage, and a rare provider that reports more
// output than its cap. The assertions are BudgetLoadTests<TRun>, shared with the HttpClient pipeline.

/// <summary>One call per caller, all released at once by the barrier (<see cref="BurstChatLoadRun"/>).</summary>
public sealed class ChatBurstLoadTests(BurstChatLoadRun run, ITestOutputHelper output)
    : BudgetLoadTests<BurstChatLoadRun>(run, output), IClassFixture<BurstChatLoadRun>;

/// <summary>Callers that keep calling as money is freed, driving spend to the limit (<see cref="SustainedChatLoadRun"/>).</summary>
public sealed class ChatSustainedLoadTests(SustainedChatLoadRun run, ITestOutputHelper output)
    : BudgetLoadTests<SustainedChatLoadRun>(run, output), IClassFixture<SustainedChatLoadRun>;
