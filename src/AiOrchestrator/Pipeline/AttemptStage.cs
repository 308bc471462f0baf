using System.Diagnostics.CodeAnalysis;

namespace AiOrchestrator.Pipeline;

/// <summary>
/// A stage that runs around every attempt of a call, in both pipelines: <see cref="StartAsync"/> before the attempt
/// is sent (in stage order; throwing refuses the attempt and nothing is sent), <see cref="EndAsync"/> after it has
/// ended and its usage is known (in reverse order), whether it succeeded, failed, was cancelled or abandoned.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public abstract class AttemptStage
{
    /// <summary>The stage's name, for logs and the stage order.</summary>
    public abstract string Name { get; }

    /// <summary>Runs before the attempt is sent; may lower <see cref="AiCallAttempt.MaxOutputTokens"/>, or throw to refuse it.</summary>
    public abstract ValueTask StartAsync(AiCallAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Runs once the attempt has ended (<see cref="AiCallAttempt.HasEnded"/>). Must not throw for the attempt's outcome.</summary>
    public abstract ValueTask EndAsync(AiCallAttempt attempt);
}
