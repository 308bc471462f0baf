namespace AiOrchestrator;

/// <summary>Thrown when a provider's usage data is malformed, negative, absurd or inconsistent.</summary>
public sealed class InvalidUsageException : FormatException
{
    /// <summary>Creates the exception with a message that says what is wrong.</summary>
    public InvalidUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the parser error that caused it.</summary>
    public InvalidUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
