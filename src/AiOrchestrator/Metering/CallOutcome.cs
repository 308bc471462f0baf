namespace AiOrchestrator.Metering;

/// <summary>How a metered call ended.</summary>
public enum CallOutcome
{
    /// <summary>The provider answered in full.</summary>
    Succeeded = 0,

    /// <summary>The provider call threw.</summary>
    Failed = 1,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled = 2,

    /// <summary>The caller stopped reading a stream before it ended; the tokens generated so far are estimated.</summary>
    Abandoned = 3,

    /// <summary>The call was refused before it reached the provider (for example by a budget).</summary>
    Rejected = 4,
}
