using System.Text.Json;

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
                        text.AddString(ref reader);
                    }

                    break;
                case JsonTokenType.Number:
                    if (reader.CurrentDepth == 1 && name == Field.MaxTokens && reader.TryGetInt64(out var max) && max >= 0)
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

        return new RequestFacts(model, maxTokens, stream, text, items, attachments);
    }

    private static Field Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("model"u8))
        {
            return Field.Model;
        }

        if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8) || reader.ValueTextEquals("max_output_tokens"u8))
        {
            return Field.MaxTokens;
        }

        if (reader.ValueTextEquals("stream"u8))
        {
            return Field.Stream;
        }

        // Image and file references: a URL, base64 data or a file id stands for a fixed number of tokens, not its text.
        if (reader.ValueTextEquals("url"u8) || reader.ValueTextEquals("image_url"u8) || reader.ValueTextEquals("data"u8)
            || reader.ValueTextEquals("file_data"u8) || reader.ValueTextEquals("file_id"u8))
        {
            return Field.Attachment;
        }

        return Field.Other;
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
