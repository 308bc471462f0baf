namespace AiOrchestrator.Ledger.Server.Problems;

/// <summary>Thrown to answer with a problem; inside a unit of work it also discards the unit's changes.</summary>
internal sealed class LedgerProblemException(LedgerProblem problem) : Exception(problem.Detail)
{
    public LedgerProblem Problem { get; } = problem;
}
