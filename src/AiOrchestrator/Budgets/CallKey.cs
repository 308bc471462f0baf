namespace AiOrchestrator.Budgets;

/// <summary>
/// The idempotency key of one attempt of a call on the hot path: the call id and the attempt number. The operation
/// (reserve, then settle or release) is the state of the <see cref="CallRecord"/> it keys, so one small record per
/// attempt remembers both the reserve and its resolution.
/// </summary>
internal readonly record struct CallKey(Guid CallId, int Attempt)
{
    public bool IsEmpty => CallId == Guid.Empty;

    /// <summary>The key as text, only for error messages.</summary>
    public string Describe(string operation) => $"call {CallId:N} attempt {Attempt} {operation}";
}
