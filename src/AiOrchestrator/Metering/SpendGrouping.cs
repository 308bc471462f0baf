namespace AiOrchestrator.Metering;

/// <summary>The keys spend can be grouped by; combine them with <c>|</c>.</summary>
[Flags]
public enum SpendGrouping
{
    /// <summary>One grand total.</summary>
    None = 0,

    /// <summary>By organisation.</summary>
    Organization = 1,

    /// <summary>By team.</summary>
    Team = 2,

    /// <summary>By user.</summary>
    User = 4,

    /// <summary>By app.</summary>
    App = 8,

    /// <summary>By feature.</summary>
    Feature = 16,

    /// <summary>By provider.</summary>
    Provider = 32,

    /// <summary>By model.</summary>
    Model = 64,

    /// <summary>By calendar day.</summary>
    Day = 128,

    /// <summary>By calendar month.</summary>
    Month = 256,
}
