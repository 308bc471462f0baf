using System.Collections.ObjectModel;

namespace AiOrchestrator.Pricing;

/// <summary>The price of one <see cref="PriceUnit"/> in a <see cref="ModelPrice"/>, with its long-context tiers.</summary>
public sealed class UnitPrice
{
    private readonly UnitPriceTier[] _tiers;

    // 1/Per when Per is a power of ten (exact in decimal and faster than dividing), else zero.
    private readonly decimal _scale;

    internal UnitPrice(PriceUnit unit, decimal price, UnitPriceTier[] tiers)
    {
        Unit = unit;
        Price = price;
        _tiers = tiers;
        Tiers = new ReadOnlyCollection<UnitPriceTier>(tiers);
        _scale = ScaleOf(unit.Per);
    }

    /// <summary>The unit priced.</summary>
    public PriceUnit Unit { get; }

    /// <summary>The price per <see cref="PriceUnit.Per"/> counts below the first tier (per million tokens, per thousand searches...).</summary>
    public decimal Price { get; }

    /// <summary>Long-context tiers, ascending; empty when the price does not depend on the request's input size.</summary>
    public IReadOnlyList<UnitPriceTier> Tiers { get; }

    /// <summary>The price per <see cref="PriceUnit.Per"/> counts for a request with <paramref name="inputTokens"/> input tokens in total.</summary>
    public decimal PriceAt(long inputTokens)
    {
        var tiers = _tiers;
        for (var i = tiers.Length - 1; i >= 0; i--)
        {
            if (inputTokens > tiers[i].AboveInputTokens)
            {
                return tiers[i].Price;
            }
        }

        return Price;
    }

    /// <summary>The exact amount <paramref name="count"/> counts cost at <paramref name="rate"/> per <see cref="PriceUnit.Per"/>.</summary>
    internal decimal Amount(long count, decimal rate)
        => _scale != 0m ? count * rate * _scale : count * rate / Unit.Per;

    /// <summary>Describes the price, for logs and messages.</summary>
    public override string ToString() => FormattableString.Invariant($"{Unit.PriceKey}={Price}{(_tiers.Length > 0 ? " (+tiers)" : string.Empty)}");

    /// <summary>1/<paramref name="per"/> when it is a power of ten (exact in decimal), else zero.</summary>
    internal static decimal ScaleOf(long per)
    {
        var scale = 1m;
        for (var p = per; p > 1; p /= 10)
        {
            if (p % 10 != 0)
            {
                return 0m;
            }

            scale *= 0.1m;
        }

        return scale;
    }
}
