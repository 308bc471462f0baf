namespace AiOrchestrator.Pricing;

/// <summary>What one priced unit contributed to a <see cref="CallCost"/>.</summary>
/// <param name="Unit">The unit.</param>
/// <param name="Count">The counts priced at this unit's price: the unit's count less what more specific priced units claimed.</param>
/// <param name="Price">The price applied, per <see cref="PriceUnit.Per"/> counts (after the long-context tier).</param>
/// <param name="Amount">The exact amount, in the price's currency.</param>
public readonly record struct UnitCost(PriceUnit Unit, long Count, decimal Price, decimal Amount);
