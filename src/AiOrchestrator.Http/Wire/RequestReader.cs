using System.Text.Json;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Wire;

/// <summary>
/// Reads model, max tokens, the stream flag and the input text from an LLM request body in one forward pass, without
/// building a document or re-serialising the body.
/// </summary>
internal static class RequestReader
{
    /// <summary>Reads the facts of a request body.</summary>
    /// <exception cref="JsonException">The body is not a JSON object.</exception>
    public static RequestFacts Read(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The body is not a JSON object.");
        }

        string? model = null;
        long? maxTokens = null;
        var stream = false;
        var text = default(TextTally);
        var items = 0;
        var attachments = 0;
        long textBytes = 0;
        var name = Field.Other;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = Classify(ref reader);
                    break;
                case JsonTokenType.String:
                    if (reader.CurrentDepth == 1 && name == Field.Model)
                    {
                        model = reader.GetString();
                    }
                    else if (name == Field.Attachment)
                    {
                        attachments += reader.ValueSpan.IsEmpty ? 0 : 1;
                    }
                    else
                    {
                        textBytes += reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                        text.AddString(ref reader);
                    }

                    break;
                case JsonTokenType.Number:
                    if (reader.CurrentDepth == 1 && name == Field.MaxTokens && reader.TryGetInt64(out var max))
                    {
                        maxTokens = maxTokens is { } m ? Math.Max(m, max) : max;
                    }

                    break;
                case JsonTokenType.True:
                    stream |= reader.CurrentDepth == 1 && name == Field.Stream;
                    break;
                case JsonTokenType.StartObject:
                    items += reader.CurrentDepth == 2 ? 1 : 0;
                    name = Field.Other;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    name = Field.Other;
                    break;
            }
        }

        return new RequestFacts(model, maxTokens, stream, text, items, attachments, textBytes);
    }

    private static Field Classify(ref Utf8JsonReader reader)
    {
        var name = PropertyName.Of(ref reader);

        // Image and file references (url, image_url, data, file_data, file_id) stand for a fixed number of tokens,
        // not their text. The length switch makes the common names (role, content, type) fail at once.
        return name.Length switch
        {
            3 => name.SequenceEqual("url"u8) ? Field.Attachment : Field.Other,
            4 => name.SequenceEqual("data"u8) ? Field.Attachment : Field.Other,
            5 => name.SequenceEqual("model"u8) ? Field.Model : Field.Other,
            6 => name.SequenceEqual("stream"u8) ? Field.Stream : Field.Other,
            7 => name.SequenceEqual("file_id"u8) ? Field.Attachment : Field.Other,
            9 => name.SequenceEqual("image_url"u8) || name.SequenceEqual("file_data"u8) ? Field.Attachment : Field.Other,
            10 => name.SequenceEqual("max_tokens"u8) ? Field.MaxTokens : Field.Other,
            17 => name.SequenceEqual("max_output_tokens"u8) ? Field.MaxTokens : Field.Other,
            21 => name.SequenceEqual("max_completion_tokens"u8) ? Field.MaxTokens : Field.Other,
            _ => Field.Other,
        };
    }

    private enum Field
    {
        Other,
        Model,
        MaxTokens,
        Stream,
        Attachment,
    }
}
