using System.Globalization;

namespace AiOrchestrator.Ledger.Server.Problems;

/// <summary>Amounts on the wire: invariant decimal strings, no exponent, at most 20 digits either side of the point.</summary>
internal static class Amounts
{
    /// <summary>The largest amount accepted: sums of many stay far inside <see cref="decimal"/>'s range.</summary>
    public const decimal Max = 1_000_000_000_000_000m;

    public static string Format(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text == "-0" ? "0" : text;
    }

    /// <summary>Parses an amount; <paramref name="allowZero"/> for non-negative, otherwise positive.</summary>
    public static decimal Parse(string? text, string field, bool allowZero)
    {
        if (text is null)
        {
            throw LedgerProblem.Invalid($"'{field}' is required: a decimal string such as \"0.25\".");
        }

        if (!IsPlainDecimal(text) || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw LedgerProblem.Invalid($"'{field}' must be a non-negative decimal string in invariant digits such as \"0.25\" (no sign, exponent, spaces or separators); got \"{Clip(text)}\".");
        }

        if (value > Max)
        {
            throw LedgerProblem.Invalid($"'{field}' is larger than the largest amount the ledger accepts ({Format(Max)}).");
        }

        if (!allowZero && value == 0)
        {
            throw LedgerProblem.Invalid($"'{field}' must be greater than zero.");
        }

        return value;
    }

    private static bool IsPlainDecimal(string text)
    {
        if (text.Length is 0 or > 42)
        {
            return false;
        }

        var dot = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (dot >= 0 || i == 0 || i == text.Length - 1)
                {
                    return false;
                }

                dot = i;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return (dot < 0 ? text.Length : dot) <= 20 && (dot < 0 || text.Length - dot - 1 <= 20);
    }

    internal static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
