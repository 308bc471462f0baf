namespace AiOrchestrator.Tokens;

/// <summary>Rounding shared by the estimator and the exact counter.</summary>
internal static class TokenMath
{
    /// <summary>Multiplies a base-encoding count by a family factor and rounds up, saturating at int.MaxValue.</summary>
    public static int Scale(double baseTokens, double factor)
    {
        // The epsilon keeps 20 x 1.15 = 23.000000000000004 at 23.
        double scaled = Math.Ceiling((baseTokens * factor) - 1e-9);
        return scaled >= int.MaxValue ? int.MaxValue : scaled <= 0 ? 0 : (int)scaled;
    }
}
