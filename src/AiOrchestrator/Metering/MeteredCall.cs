namespace AiOrchestrator.Metering;

/// <summary>The facts of one finished call that a usage record is made from.</summary>
internal readonly record struct MeteredCall(
    AiScope Scope,
    AiCallContext? Context,
    string? Provider,
    string Model,
    TokenUsage Usage,
    DateTimeOffset Started,
    TimeSpan Latency,
    TimeSpan? TimeToFirstToken,
    bool Streaming,
    CallOutcome Outcome,
    string? Error);
