using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiOrchestrator.Pricing;

/// <summary>
/// A rule from the catalog that says whether a provider name or model id matches: equals, startsWith, endsWith,
/// contains, regex, or / and of other rules. Matching is case-insensitive: literal patterns are lower-cased when
/// loaded, and callers pass lower-cased text.
/// </summary>
internal abstract class MatchRule
{
    /// <summary>
    /// The catalog's patterns run on the non-backtracking engine, whose matching time is linear in the input (a model
    /// name, an endpoint URL): they need no timeout. A timeout only made a cold, loaded process throw
    /// <see cref="RegexMatchTimeoutException"/> from a call while the engine built its first states.
    /// </summary>
    internal static readonly TimeSpan NoTimeout = Regex.InfiniteMatchTimeout;

    /// <summary>Whether <paramref name="lowerText"/> (already lower-cased) matches.</summary>
    public abstract bool IsMatch(string lowerText);

    /// <summary>Reads a rule written by the catalog generator.</summary>
    public static MatchRule Parse(JsonElement element)
    {
        using var properties = element.EnumerateObject();
        if (!properties.MoveNext())
        {
            throw new InvalidDataException("The price catalog has an empty match rule.");
        }

        var property = properties.Current;
        return property.Name switch
        {
            "equals" => new EqualsRule(Literal(property.Value)),
            "starts_with" => new StartsWithRule(Literal(property.Value)),
            "ends_with" => new EndsWithRule(Literal(property.Value)),
            "contains" => new ContainsRule(Literal(property.Value)),
            "regex" => new RegexRule(new Regex(
                property.Value.GetString() ?? string.Empty,
                RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                NoTimeout)),
            "or" => new OrRule(ParseAll(property.Value)),
            "and" => new AndRule(ParseAll(property.Value)),
            _ => throw new InvalidDataException($"The price catalog has an unknown match rule '{property.Name}'; regenerate it with the matching generator."),
        };
    }

    private static string Literal(JsonElement value) => (value.GetString() ?? string.Empty).ToLowerInvariant();

    private static MatchRule[] ParseAll(JsonElement array)
    {
        var rules = new MatchRule[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            rules[i++] = Parse(item);
        }

        return rules;
    }

    private sealed class EqualsRule(string value) : MatchRule
    {
        public override bool IsMatch(string lowerText) => string.Equals(lowerText, value, StringComparison.Ordinal);
    }

    private sealed class StartsWithRule(string value) : MatchRule
    {
        public override bool IsMatch(string lowerText) => lowerText.StartsWith(value, StringComparison.Ordinal);
    }

    private sealed class EndsWithRule(string value) : MatchRule
    {
        public override bool IsMatch(string lowerText) => lowerText.EndsWith(value, StringComparison.Ordinal);
    }

    private sealed class ContainsRule(string value) : MatchRule
    {
        public override bool IsMatch(string lowerText) => lowerText.Contains(value, StringComparison.Ordinal);
    }

    private sealed class RegexRule(Regex regex) : MatchRule
    {
        public override bool IsMatch(string lowerText) => regex.IsMatch(lowerText);
    }

    private sealed class OrRule(MatchRule[] rules) : MatchRule
    {
        public override bool IsMatch(string lowerText)
        {
            foreach (var rule in rules)
            {
                if (rule.IsMatch(lowerText))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class AndRule(MatchRule[] rules) : MatchRule
    {
        public override bool IsMatch(string lowerText)
        {
            foreach (var rule in rules)
            {
                if (!rule.IsMatch(lowerText))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
