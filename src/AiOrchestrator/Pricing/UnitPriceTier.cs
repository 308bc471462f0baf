namespace AiOrchestrator.Pricing;

/// <summary>
/// A long-context tier of a <see cref="UnitPrice"/>: once a request's total input tokens are above
/// <see cref="AboveInputTokens"/>, every count of the unit in that request costs <see cref="Price"/>.
/// </summary>
/// <param name="AboveInputTokens">The tier applies when the request's total input tokens are greater than this.</param>
/// <param name="Price">The price per <see cref="PriceUnit.Per"/> counts in this tier.</param>
public readonly record struct UnitPriceTier(long AboveInputTokens, decimal Price);
