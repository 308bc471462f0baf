using System.Diagnostics;

namespace AiOrchestrator;

/// <summary>The names under which AiOrchestrator publishes traces and metrics.</summary>
public static class AiOrchestratorTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="ActivitySource"/>: <c>AiOrchestrator</c>.</summary>
    public const string Name = "AiOrchestrator";

    internal static readonly ActivitySource ActivitySource = new(Name);
}
