using System.Globalization;

namespace AiOrchestrator;

/// <summary>
/// An exact amount of money in one currency. Arithmetic is <see cref="decimal"/> and never rounds;
/// mixing currencies throws <see cref="CurrencyMismatchException"/>.
/// </summary>
public readonly struct Money : IEquatable<Money>, IComparable<Money>
{
    /// <summary>The currency used when none is given: US dollars.</summary>
    public const string DefaultCurrency = "USD";

    private readonly string? _currency;

    /// <summary>Creates an amount in <paramref name="currency"/> (an ISO 4217 code such as <c>USD</c>).</summary>
    /// <exception cref="ArgumentException">The currency is not a three-letter code.</exception>
    public Money(decimal amount, string currency = DefaultCurrency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        if (currency.Length != 3 || !char.IsAsciiLetterUpper(currency[0]) || !char.IsAsciiLetterUpper(currency[1]) || !char.IsAsciiLetterUpper(currency[2]))
        {
            throw new ArgumentException($"Currency '{currency}' is not a three-letter upper-case ISO 4217 code such as 'USD'.", nameof(currency));
        }

        Amount = amount;
        _currency = currency;
    }

    /// <summary>The exact amount.</summary>
    public decimal Amount { get; }

    /// <summary>The ISO 4217 currency code.</summary>
    public string Currency => _currency ?? DefaultCurrency;

    /// <summary>Zero US dollars.</summary>
    public static Money Zero => default;

    /// <summary>An amount in US dollars.</summary>
    public static Money Usd(decimal amount) => new(amount, DefaultCurrency);

    /// <summary>Adds two amounts of the same currency.</summary>
    public static Money operator +(Money left, Money right) => new(left.Amount + right.Amount, SameCurrency(left, right));

    /// <summary>Subtracts two amounts of the same currency.</summary>
    public static Money operator -(Money left, Money right) => new(left.Amount - right.Amount, SameCurrency(left, right));

    /// <summary>Negates an amount.</summary>
    public static Money operator -(Money value) => new(-value.Amount, value.Currency);

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    /// <summary>Equality of amount and currency.</summary>
    public static bool operator ==(Money left, Money right) => left.Equals(right);

    /// <summary>Inequality of amount or currency.</summary>
    public static bool operator !=(Money left, Money right) => !left.Equals(right);

    /// <summary>Adds two amounts of the same currency.</summary>
    public static Money Add(Money left, Money right) => left + right;

    /// <summary>Subtracts two amounts of the same currency.</summary>
    public static Money Subtract(Money left, Money right) => left - right;

    /// <summary>Negates an amount.</summary>
    public static Money Negate(Money value) => -value;

    /// <inheritdoc/>
    public int CompareTo(Money other)
    {
        _ = SameCurrency(this, other);
        return Amount.CompareTo(other.Amount);
    }

    /// <inheritdoc/>
    public bool Equals(Money other) => Amount == other.Amount && string.Equals(Currency, other.Currency, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Money other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Amount, Currency);

    /// <summary>Formats as <c>12.345678 USD</c>, with no rounding.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Amount} {Currency}");

    private static string SameCurrency(Money left, Money right)
    {
        var a = left.Currency;
        var b = right.Currency;
        if (!string.Equals(a, b, StringComparison.Ordinal))
        {
            throw new CurrencyMismatchException(a, b);
        }

        return a;
    }
}
