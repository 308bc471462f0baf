namespace AiOrchestrator.Budgets;

/// <summary>
/// An idempotency key was reused for a different request. The ledger is unchanged. Use a new key for a new request;
/// reuse a key only to retry exactly the same request.
/// </summary>
public sealed class IdempotencyConflictException : InvalidOperationException
{
    /// <summary>Creates the exception for a key and the operation it was first used for.</summary>
    public IdempotencyConflictException(string idempotencyKey, string firstUse)
        : base($"Idempotency key '{idempotencyKey}' was already used for a different request ({firstUse}). Use a new key for a new request.")
    {
        IdempotencyKey = idempotencyKey;
        FirstUse = firstUse;
    }

    /// <summary>The key.</summary>
    public string IdempotencyKey { get; }

    /// <summary>A description of the request the key was first used for.</summary>
    public string FirstUse { get; }
}
