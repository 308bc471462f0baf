namespace AiOrchestrator.Pricing;

/// <summary>Whether a <see cref="PriceUnit"/> counts input, output, or neither.</summary>
public enum UnitDirection
{
    /// <summary>Neither input nor output: web searches, requests.</summary>
    None = 0,

    /// <summary>Input (prompt) units.</summary>
    Input = 1,

    /// <summary>Output (completion) units.</summary>
    Output = 2,
}
