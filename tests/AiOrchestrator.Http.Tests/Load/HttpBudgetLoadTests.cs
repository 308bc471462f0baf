using AiOrchestrator.Tests.Load;
using Xunit.Abstractions;

namespace AiOrchestrator.Http.Tests.Load;

// Through the HttpClient handlers, with the real OpenAI SDK on the AddAiOrchestratorHandler() client, against a
// WireMock.Net server speaking the Chat Completions wire format: full streams, abandoned streams, 429, 500, dropped
// connections, malformed bodies and streams, responses without usage, and a rare server that reports more output
// than its cap. The assertions are BudgetLoadTests<TRun>, shared with the IChatClient pipeline.

/// <summary>One call per caller, all released at once by the barrier (<see cref="BurstHttpLoadRun"/>).</summary>
public sealed class HttpBurstLoadTests(BurstHttpLoadRun run, ITestOutputHelper output)
    : BudgetLoadTests<BurstHttpLoadRun>(run, output), IClassFixture<BurstHttpLoadRun>;

/// <summary>Callers that keep calling as money is freed, driving spend to the limit (<see cref="SustainedHttpLoadRun"/>).</summary>
public sealed class HttpSustainedLoadTests(SustainedHttpLoadRun run, ITestOutputHelper output)
    : BudgetLoadTests<SustainedHttpLoadRun>(run, output), IClassFixture<SustainedHttpLoadRun>;
