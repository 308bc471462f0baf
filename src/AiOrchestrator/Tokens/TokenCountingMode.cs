namespace AiOrchestrator.Tokens;

/// <summary>How input tokens are counted before a call is sent.</summary>
public enum TokenCountingMode
{
    /// <summary>
    /// A conservative bound from character counts (<see cref="TokenEstimator"/>): about a thousand times cheaper
    /// than tokenizing, and rarely below the real count. The default.
    /// </summary>
    Estimate = 0,

    /// <summary>The tokenizer's count (<see cref="ExactTokenCounter"/>): tighter reservations, about 20 µs per kilobyte.</summary>
    Exact = 1,
}
