using System.Text.Json;

namespace PriceCatalogGenerator;

/// <summary>A source price: a plain number, or <c>{ base, tiers: [{ start, price }] }</c>.</summary>
internal sealed record TieredValue(decimal Base, IReadOnlyList<(long Start, decimal Price)> Tiers)
{
    public static TieredValue Read(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return new TieredValue(value.GetDecimal(), []);
        }

        var tiers = new List<(long, decimal)>();
        foreach (var tier in value.GetProperty("tiers").EnumerateArray())
        {
            tiers.Add((tier.GetProperty("start").GetInt64(), tier.GetProperty("price").GetDecimal()));
        }

        tiers.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return new TieredValue(value.GetProperty("base").GetDecimal(), tiers);
    }

    /// <summary>The price once total input tokens are above <paramref name="threshold"/>.</summary>
    public decimal At(long threshold)
    {
        var price = Base;
        foreach (var (start, tierPrice) in Tiers)
        {
            if (start <= threshold)
            {
                price = tierPrice;
            }
        }

        return price;
    }

    public TieredValue Times(decimal factor)
    {
        var tiers = new List<(long, decimal)>(Tiers.Count);
        foreach (var (start, price) in Tiers)
        {
            tiers.Add((start, price * factor));
        }

        return new TieredValue(Base * factor, tiers);
    }
}
