using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Audit;

/// <summary>
/// The few named strings an audit entry carries (rule names, reasons, identifiers), at most one per
/// <see cref="AuditAttributeKey"/>. Values are short (at most <see cref="MaxValueLength"/> characters) and single-line,
/// so an attribute cannot hold a prompt or a response; building one that breaks this throws at once.
/// Immutable: <see cref="With"/> returns a new set. Kept in key order, so the order they are added in never matters.
/// </summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public readonly struct AuditAttributes : IEquatable<AuditAttributes>
{
    /// <summary>The longest attribute value, in UTF-16 characters.</summary>
    public const int MaxValueLength = 128;

    private readonly KeyValuePair<AuditAttributeKey, string>[]? _items;

    private AuditAttributes(KeyValuePair<AuditAttributeKey, string>[] items) => _items = items;

    /// <summary>No attributes.</summary>
    public static AuditAttributes Empty => default;

    /// <summary>How many attributes are set.</summary>
    public int Count => _items?.Length ?? 0;

    /// <summary>The attributes in key order.</summary>
    public ReadOnlySpan<KeyValuePair<AuditAttributeKey, string>> Items => _items;

    /// <summary>One attribute.</summary>
    public static AuditAttributes Of(AuditAttributeKey key, string value) => Empty.With(key, value);

    /// <summary>Two attributes.</summary>
    public static AuditAttributes Of(AuditAttributeKey key1, string value1, AuditAttributeKey key2, string value2) => Empty.With(key1, value1).With(key2, value2);

    /// <summary>This set with <paramref name="key"/> set to <paramref name="value"/> (replacing an earlier value).</summary>
    /// <exception cref="ArgumentException">The key is not defined, or the value is empty, too long or contains a control character (such as a line break).</exception>
    public AuditAttributes With(AuditAttributeKey key, string value)
    {
        if (!Enum.IsDefined(key))
        {
            throw new ArgumentException($"{(int)key} is not an audit attribute key; use one of AuditAttributeKey's values.", nameof(key));
        }

        Check(value);
        var items = _items ?? [];
        var at = 0;
        while (at < items.Length && items[at].Key < key)
        {
            at++;
        }

        var replace = at < items.Length && items[at].Key == key;
        var next = new KeyValuePair<AuditAttributeKey, string>[replace ? items.Length : items.Length + 1];
        Array.Copy(items, next, at);
        next[at] = new(key, value);
        Array.Copy(items, replace ? at + 1 : at, next, at + 1, items.Length - (replace ? at + 1 : at));
        return new AuditAttributes(next);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? this[AuditAttributeKey key]
    {
        get
        {
            foreach (var item in Items)
            {
                if (item.Key == key)
                {
                    return item.Value;
                }
            }

            return null;
        }
    }

    /// <inheritdoc/>
    public bool Equals(AuditAttributes other)
    {
        var a = Items;
        var b = other.Items;
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i].Key != b[i].Key || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AuditAttributes other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item.Key);
            hash.Add(item.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>True when both sets hold the same keys and values.</summary>
    public static bool operator ==(AuditAttributes left, AuditAttributes right) => left.Equals(right);

    /// <summary>True when the sets differ.</summary>
    public static bool operator !=(AuditAttributes left, AuditAttributes right) => !left.Equals(right);

    /// <summary>Checks an attribute value: short, single-line text.</summary>
    internal static void Check(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (value.Length > MaxValueLength)
        {
            throw new ArgumentException(
                $"An audit attribute value is {value.Length} characters; at most {MaxValueLength} are allowed. Attributes hold rule names, reasons and ids, never prompt or response text.",
                nameof(value));
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("An audit attribute value contains a control character (such as a line break); attributes are single-line names and reasons.", nameof(value));
            }
        }
    }
}
