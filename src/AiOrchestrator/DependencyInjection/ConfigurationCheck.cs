using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AiOrchestrator;

/// <summary>
/// Walks a configuration section alongside the options type it binds to and reports, by configuration path, every
/// key the type does not have and every value the binder could not convert. The stock binder drops an unconvertible
/// entry of a list or dictionary without a word (a wallet with <c>"Limit": "1 USD"</c> vanishes, and its team is
/// unlimited), so the values are checked here, before binding, with the converters the binder uses.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>Adds a message to <paramref name="failures"/> for every problem under <paramref name="section"/>.</summary>
    /// <param name="section">The section bound to <paramref name="type"/>.</param>
    /// <param name="type">The options type.</param>
    /// <param name="failures">Where the messages go.</param>
    /// <param name="skip">Children of <paramref name="section"/> that other registrations bind (not checked here).</param>
    public static void Check(IConfiguration section, Type type, List<string> failures, ISet<string>? skip = null)
        => CheckNode(section, PathOf(section), type, entry: null, failures, skip);

    private static void CheckNode(IConfiguration node, string path, Type type, string? entry, List<string> failures, ISet<string>? skip)
    {
        var value = (node as IConfigurationSection)?.Value;
        var children = node.GetChildren().ToList();
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        type = Nullable.GetUnderlyingType(type) ?? type;

        if (IsScalar(type))
        {
            if (children.Count > 0)
            {
                failures.Add($"{path} has nested settings ({string.Join(", ", children.Select(c => c.Key))}), but it takes a single value: {Expected(type)}.{Dropped(entry)}");
            }
            else if (value is not null && !(nullable && value.Length == 0))
            {
                // An empty value (JSON null) leaves a nullable setting unset, as the binder does.
                CheckValue(path, value, type, entry, failures);
            }

            return;
        }

        if (ElementType(type, out var isDictionary) is { } element)
        {
            if (children.Count == 0)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    failures.Add($"{path} is '{value}', but it takes {(isDictionary ? "named entries" : "a list")}; write it as {(isDictionary ? "an object" : "a JSON array")}.{Dropped(entry)}");
                }

                return;
            }

            foreach (var child in children)
            {
                var childPath = $"{path}:{child.Key}";
                if (string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any() && !AcceptsEmpty(element))
                {
                    failures.Add($"{childPath} is empty: remove the entry, or give it {(IsScalar(element) ? "a value" : "its settings")}.");
                    continue;
                }

                CheckNode(child, childPath, element, entry ?? childPath, failures, skip: null);
            }

            return;
        }

        if (type.IsInterface || type.IsAbstract)
        {
            // A service such as IChatClient: only code can supply it.
            failures.Add($"{path} cannot be set in configuration: it takes a {type.Name}, which only code can supply.{Dropped(entry)}");
            return;
        }

        if (children.Count == 0)
        {
            if (!string.IsNullOrEmpty(value))
            {
                failures.Add($"{path} is '{value}', but it takes nested settings: {string.Join(", ", Settable(type).Select(p => p.Name))}.{Dropped(entry)}");
            }

            return;
        }

        var properties = Settable(type);
        foreach (var child in children)
        {
            if (skip is not null && skip.Contains(child.Key))
            {
                continue;
            }

            var childPath = $"{path}:{child.Key}";
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                failures.Add(Unknown(childPath, child.Key, type, properties, entry, skip));
                continue;
            }

            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if ((propertyType.IsInterface || propertyType.IsAbstract) && ElementType(propertyType, out _) is null)
            {
                var key = properties.FirstOrDefault(p => string.Equals(p.Name, property.Name + "Key", StringComparison.Ordinal));
                failures.Add(key is null
                    ? $"{childPath} cannot be set in configuration: it takes a {propertyType.Name}, which only code can supply.{Dropped(entry)}"
                    : $"{childPath} cannot be set in configuration: it takes a {propertyType.Name}, which only code can supply. In configuration, set {key.Name} to the key of a keyed {propertyType.Name} service.{Dropped(entry)}");
                continue;
            }

            CheckNode(child, childPath, property.PropertyType, entry, failures, skip: null);
        }
    }

    private static void CheckValue(string path, string value, Type type, string? entry, List<string> failures)
    {
        if (type == typeof(string))
        {
            return;
        }

        if (value.Length == 0)
        {
            failures.Add($"{path} is empty; it takes {Expected(type)}. Set a value or remove the key.{Dropped(entry)}");
            return;
        }

        if (type.IsEnum)
        {
            if (!IsEnumName(type, value))
            {
                var names = Enum.GetNames(type);
                var suggestion = Closest(value, names);
                failures.Add($"{path} is '{value}', which is not one of: {string.Join(", ", names)}.{(suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?")}{Dropped(entry)}");
            }

            return;
        }

        if (type == typeof(TimeSpan))
        {
            // TimeSpan.Parse reads "20" as 20 days, so a duration must have the hh:mm:ss form.
            if (!value.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _))
            {
                failures.Add($"{path} is '{value}', which is not {Expected(type)}.{Dropped(entry)}");
            }

            return;
        }

        try
        {
            if (TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is null)
            {
                failures.Add($"{path} is '{value}', which is not {Expected(type)}.{Dropped(entry)}");
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException or InvalidCastException)
        {
            failures.Add($"{path} is '{value}', which is not {Expected(type)}.{Dropped(entry)}");
        }
    }

    private static bool IsEnumName(Type type, string value)
    {
        var names = Enum.GetNames(type);
        var parts = type.IsDefined(typeof(FlagsAttribute), inherit: false) ? value.Split(',') : [value];
        foreach (var part in parts)
        {
            var name = part.Trim();
            if (!names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What a value of <paramref name="type"/> looks like, for messages.</summary>
    internal static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type.IsEnum => $"one of: {string.Join(", ", Enum.GetNames(type))}",
            _ when type == typeof(TimeSpan) => "a duration in the format hh:mm:ss (d.hh:mm:ss for days), such as '00:00:20' for 20 seconds",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a plain number such as 12.5 (no unit or currency; a dot for decimals)",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) => "a whole number such as 4096",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time such as '2026-01-01T00:00:00Z'",
            _ when type == typeof(string) => "text",
            _ => $"a {type.Name}",
        };
    }

    private static string Unknown(string path, string key, Type type, IReadOnlyList<PropertyInfo> properties, string? entry, ISet<string>? skip)
    {
        var known = properties.Select(p => p.Name).Concat(skip ?? Enumerable.Empty<string>()).ToList();
        var suggestion = Closest(key, known);
        var fix = suggestion is null ? "Remove it or fix its name" : $"Did you mean '{suggestion}'? Rename it, or remove it";
        return $"{path} is not a setting of {type.Name}, so it would be ignored. {fix}. Known settings: {string.Join(", ", known)}.{Dropped(entry)}";
    }

    private static string Dropped(string? entry)
        => entry is null ? string.Empty : $" Until it is fixed, the whole entry {entry} would be dropped silently by the binder.";

    /// <summary>The public properties the binder sets or binds into.</summary>
    private static List<PropertyInfo> Settable(Type type)
    {
        var settable = new List<PropertyInfo>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true })
            {
                continue;
            }

            // A get-only property is bound into when it holds a list or an object; a get-only value cannot be set.
            if (property.SetMethod is { IsPublic: true } || !IsScalar(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType))
            {
                settable.Add(property);
            }
        }

        return settable;
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
           || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static bool AcceptsEmpty(Type element) => element == typeof(string) || Nullable.GetUnderlyingType(element) is not null;

    /// <summary>The element (or dictionary value) type of a collection type, or null when it is not one.</summary>
    private static Type? ElementType(Type type, out bool isDictionary)
    {
        isDictionary = false;
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Prepend(type) : type.GetInterfaces();
        foreach (var candidate in interfaces)
        {
            if (candidate.IsGenericType && (candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>) || candidate.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            {
                isDictionary = true;
                return candidate.GetGenericArguments()[1];
            }
        }

        foreach (var candidate in interfaces)
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static string PathOf(IConfiguration configuration) => (configuration as IConfigurationSection)?.Path ?? string.Empty;

    /// <summary>The candidate closest to <paramref name="key"/> when it is near enough to be a misspelling of it.</summary>
    internal static string? Closest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        var allowed = Math.Max(key.Length, best?.Length ?? 0) switch { <= 4 => 1, <= 9 => 2, _ => 3 };
        return best is not null && bestDistance > 0 && bestDistance <= allowed ? best : null;
    }

    /// <summary>Edit distance counting an adjacent transposition as one edit (optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
