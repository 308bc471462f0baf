using System.Text.Json;

namespace AiOrchestrator.Http.Wire;

/// <summary>
/// Reads a response body or one stream event of any of the wire formats in one forward pass: its type, the span of
/// its usage object (top level, or under <c>response</c> / <c>message</c>), its model and its output text.
/// </summary>
internal static class WireJson
{
    /// <summary>Reads <paramref name="json"/>.</summary>
    /// <param name="json">One JSON object.</param>
    /// <param name="wantModel">False once the model is known, to avoid allocating it again.</param>
    /// <exception cref="JsonException">The text is not a JSON object.</exception>
    public static WireEvent Read(ReadOnlySpan<byte> json, bool wantModel)
    {
        var facts = new WireEvent { UsageStart = -1 };
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The JSON is not an object.");
        }

        var root = Field.Other;
        var name = Field.Other;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = Classify(ref reader);
                    if (reader.CurrentDepth == 1)
                    {
                        root = name;
                    }

                    break;
                case JsonTokenType.StartObject:
                    var depth = reader.CurrentDepth;
                    if (name == Field.Usage && (depth == 1 || (depth == 2 && root is Field.Response or Field.Message)))
                    {
                        facts.UsageStart = checked((int)reader.TokenStartIndex);
                        reader.Skip();
                        facts.UsageLength = checked((int)reader.BytesConsumed) - facts.UsageStart;
                    }
                    else if (name == Field.Error && depth == 1)
                    {
                        facts.HasError = true;
                    }

                    name = Field.Other;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    name = Field.Other;
                    break;
                case JsonTokenType.String:
                    ReadString(ref reader, name, root, wantModel, ref facts);
                    break;
            }
        }

        return facts;
    }

    private static void ReadString(ref Utf8JsonReader reader, Field name, Field root, bool wantModel, ref WireEvent facts)
    {
        var depth = reader.CurrentDepth;
        if (depth == 1)
        {
            switch (name)
            {
                case Field.Type:
                    facts.Kind = KindOf(ref reader);
                    break;
                case Field.Model when wantModel && facts.Model is null:
                    facts.Model = reader.GetString();
                    break;
                case Field.Delta:
                    // A Responses delta event's new text; the caller counts it only for *.delta events.
                    facts.Output.AddString(ref reader);
                    break;
            }

            return;
        }

        if (name == Field.Model)
        {
            if (depth == 2 && wantModel && facts.Model is null && root is Field.Response or Field.Message)
            {
                facts.Model = reader.GetString();
            }

            return;
        }

        if (name == Field.Output)
        {
            facts.Output.AddString(ref reader);
        }
    }

    private static WireEventKind KindOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("content_block_delta"u8))
        {
            return WireEventKind.ContentBlockDelta;
        }

        if (reader.ValueTextEquals("message_start"u8))
        {
            return WireEventKind.MessageStart;
        }

        if (reader.ValueTextEquals("message_delta"u8))
        {
            return WireEventKind.MessageDelta;
        }

        if (reader.ValueTextEquals("message_stop"u8))
        {
            return WireEventKind.MessageStop;
        }

        if (reader.ValueTextEquals("response.completed"u8))
        {
            return WireEventKind.ResponseCompleted;
        }

        if (reader.ValueTextEquals("response.incomplete"u8))
        {
            return WireEventKind.ResponseIncomplete;
        }

        if (reader.ValueTextEquals("response.failed"u8))
        {
            return WireEventKind.ResponseFailed;
        }

        if (reader.ValueTextEquals("error"u8))
        {
            return WireEventKind.Error;
        }

        var value = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
        return value.EndsWith(".delta"u8) ? WireEventKind.ResponseDelta : WireEventKind.Other;
    }

    private static Field Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("arguments"u8)
            || reader.ValueTextEquals("refusal"u8) || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8)
            || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("partial_json"u8))
        {
            return Field.Output;
        }

        if (reader.ValueTextEquals("delta"u8))
        {
            return Field.Delta;
        }

        if (reader.ValueTextEquals("type"u8))
        {
            return Field.Type;
        }

        if (reader.ValueTextEquals("usage"u8))
        {
            return Field.Usage;
        }

        if (reader.ValueTextEquals("model"u8))
        {
            return Field.Model;
        }

        if (reader.ValueTextEquals("response"u8))
        {
            return Field.Response;
        }

        if (reader.ValueTextEquals("message"u8))
        {
            return Field.Message;
        }

        return reader.ValueTextEquals("error"u8) ? Field.Error : Field.Other;
    }

    private enum Field
    {
        Other,
        Output,
        Delta,
        Type,
        Usage,
        Model,
        Response,
        Message,
        Error,
    }
}
