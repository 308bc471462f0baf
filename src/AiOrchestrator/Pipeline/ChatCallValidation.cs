using Microsoft.Extensions.AI;

namespace AiOrchestrator.Pipeline;

/// <summary>Checks a chat call's arguments before any stage acts on them.</summary>
internal static class ChatCallValidation
{
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    /// <exception cref="ArgumentException">A message is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ChatOptions.MaxOutputTokens"/> is zero or negative.</exception>
    public static void Validate(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages is IReadOnlyList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is null)
                {
                    throw NullMessage(i, nameof(messages));
                }
            }
        }
        else
        {
            var i = 0;
            foreach (var message in messages)
            {
                if (message is null)
                {
                    throw NullMessage(i, nameof(messages));
                }

                i++;
            }
        }

        if (options?.MaxOutputTokens is { } max && max <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), max, $"ChatOptions.MaxOutputTokens is {max}; it must be at least 1. Leave it null to use the default cap.");
        }
    }

    private static ArgumentException NullMessage(int index, string paramName)
        => new($"Message {index} of the call is null. Remove it, or pass a ChatMessage.", paramName);
}
