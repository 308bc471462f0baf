namespace AiOrchestrator;

/// <summary>Thrown when amounts in two different currencies are combined.</summary>
public sealed class CurrencyMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception for the two currencies involved.</summary>
    public CurrencyMismatchException(string expected, string actual)
        : base($"Cannot combine amounts in {expected} and {actual}. Convert to one currency first, or keep a wallet per currency.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The currency that was expected.</summary>
    public string Expected { get; }

    /// <summary>The currency that was given.</summary>
    public string Actual { get; }
}
