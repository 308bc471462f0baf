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
    /// <param name="wantOutput">False to skip measuring the output text (when the usage will be reported).</param>
    /// <exception cref="JsonException">The text is not a JSON object.</exception>
    public static WireEvent Read(ReadOnlySpan<byte> json, bool wantModel, bool wantOutput = true)
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
                    ReadString(ref reader, name, root, wantModel, wantOutput, ref facts);
                    break;
            }
        }

        return facts;
    }

    private static void ReadString(ref Utf8JsonReader reader, Field name, Field root, bool wantModel, bool wantOutput, ref WireEvent facts)
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
                case Field.Delta when wantOutput:
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

        if (name == Field.Output && wantOutput)
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
        var name = PropertyName.Of(ref reader);

        // Switch on length first: most property names of a response match none of these, and fail at once.
        return name.Length switch
        {
            4 => name.SequenceEqual("text"u8) ? Field.Output : name.SequenceEqual("type"u8) ? Field.Type : Field.Other,
            5 => name.SequenceEqual("delta"u8) ? Field.Delta : name.SequenceEqual("usage"u8) ? Field.Usage : name.SequenceEqual("model"u8) ? Field.Model : name.SequenceEqual("error"u8) ? Field.Error : Field.Other,
            7 => name.SequenceEqual("content"u8) || name.SequenceEqual("refusal"u8) ? Field.Output : name.SequenceEqual("message"u8) ? Field.Message : Field.Other,
            8 => name.SequenceEqual("thinking"u8) ? Field.Output : name.SequenceEqual("response"u8) ? Field.Response : Field.Other,
            9 => name.SequenceEqual("arguments"u8) || name.SequenceEqual("reasoning"u8) ? Field.Output : Field.Other,
            12 => name.SequenceEqual("partial_json"u8) ? Field.Output : Field.Other,
            17 => name.SequenceEqual("reasoning_content"u8) ? Field.Output : Field.Other,
            _ => Field.Other,
        };
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
