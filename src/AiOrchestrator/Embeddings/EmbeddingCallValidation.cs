namespace AiOrchestrator.Embeddings;

/// <summary>Checks an embedding call's inputs before any stage acts on them.</summary>
internal static class EmbeddingCallValidation
{
    /// <summary>Returns the inputs as a list, read once (the same list is measured and sent).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty, or one of its values is null.</exception>
    public static IReadOnlyList<string> Validate(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values as IReadOnlyList<string> ?? [.. values];
        if (list.Count == 0)
        {
            throw new ArgumentException("The call has no values to embed. Pass at least one string.", nameof(values));
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"Value {i} of the call is null. Remove it, or pass a string.", nameof(values));
            }
        }

        return list;
    }
}
