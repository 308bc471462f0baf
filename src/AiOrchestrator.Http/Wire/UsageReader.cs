using System.Text.Json;

namespace AiOrchestrator.Http.Wire;

/// <summary>
/// Reads a usage object with one forward pass of <see cref="Utf8JsonReader"/>, by the same rules as
/// <see cref="OpenAIUsage"/> and <see cref="AnthropicUsage"/> (which build a JSON document and cost several times
/// more). Anything unusual (a count that is not a whole non-negative number) returns null, and the caller asks
/// the core parser, which reports the problem.
/// </summary>
internal static class UsageReader
{
    /// <summary>The usage, or null when the object needs the core parser.</summary>
    /// <exception cref="InvalidUsageException">The counts are inconsistent.</exception>
    public static TokenUsage? TryRead(ReadOnlySpan<byte> usage, WireFormat format)
    {
        var counts = default(Counts);
        var reader = new Utf8JsonReader(usage);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var parent = Field.None;
        var name = Field.None;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = Classify(ref reader);
                    break;
                case JsonTokenType.StartObject:
                    if (reader.CurrentDepth != 1)
                    {
                        reader.Skip();
                        break;
                    }

                    parent = name;
                    counts.Seen(parent);
                    break;
                case JsonTokenType.EndObject:
                    parent = Field.None;
                    break;
                case JsonTokenType.StartArray:
                    reader.Skip();
                    break;
                case JsonTokenType.Number:
                    if (!reader.TryGetInt64(out var count) || count < 0)
                    {
                        if (name is not (Field.None or Field.Other))
                        {
                            return null;
                        }

                        break;
                    }

                    counts.Set(reader.CurrentDepth == 1 ? Field.None : parent, name, count);
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    // A string or boolean where a known count belongs: let the core parser explain it.
                    if (name is not (Field.None or Field.Other) && reader.CurrentDepth <= 2)
                    {
                        return null;
                    }

                    break;
            }
        }

        return format == WireFormat.AnthropicMessages ? counts.Anthropic() : counts.OpenAI();
    }

    private static Field Classify(ref Utf8JsonReader reader)
    {
        var name = PropertyName.Of(ref reader);
        return name.Length switch
        {
            12 => name.SequenceEqual("input_tokens"u8) ? Field.InputTokens : name.SequenceEqual("audio_tokens"u8) ? Field.AudioTokens : Field.Other,
            13 => name.SequenceEqual("prompt_tokens"u8) ? Field.PromptTokens : name.SequenceEqual("output_tokens"u8) ? Field.OutputTokens : name.SequenceEqual("cached_tokens"u8) ? Field.CachedTokens : Field.Other,
            14 => name.SequenceEqual("cache_creation"u8) ? Field.CacheCreation : Field.Other,
            16 => name.SequenceEqual("reasoning_tokens"u8) ? Field.ReasoningTokens : Field.Other,
            17 => name.SequenceEqual("completion_tokens"u8) ? Field.CompletionTokens : Field.Other,
            20 => name.SequenceEqual("input_tokens_details"u8) ? Field.InputDetails : Field.Other,
            21 => name.SequenceEqual("prompt_tokens_details"u8) ? Field.PromptDetails : name.SequenceEqual("output_tokens_details"u8) ? Field.OutputDetails : Field.Other,
            23 => name.SequenceEqual("prompt_cache_hit_tokens"u8) ? Field.PromptCacheHitTokens : name.SequenceEqual("cache_read_input_tokens"u8) ? Field.CacheReadInputTokens : Field.Other,
            25 => name.SequenceEqual("completion_tokens_details"u8) ? Field.CompletionDetails : name.SequenceEqual("ephemeral_5m_input_tokens"u8) ? Field.Ephemeral5m
                : name.SequenceEqual("ephemeral_1h_input_tokens"u8) ? Field.Ephemeral1h : Field.Other,
            27 => name.SequenceEqual("cache_creation_input_tokens"u8) ? Field.CacheCreationInputTokens : Field.Other,
            _ => Field.Other,
        };
    }

    private enum Field
    {
        None,
        Other,
        PromptTokens,
        CompletionTokens,
        InputTokens,
        OutputTokens,
        CachedTokens,
        AudioTokens,
        ReasoningTokens,
        PromptDetails,
        InputDetails,
        CompletionDetails,
        OutputDetails,
        PromptCacheHitTokens,
        CacheReadInputTokens,
        CacheCreationInputTokens,
        CacheCreation,
        Ephemeral5m,
        Ephemeral1h,
    }

    private struct Counts
    {
        public long? Prompt;
        public long? Completion;
        public long? Input;
        public long? Output;
        public long? PromptCacheHit;
        public long? CacheRead;
        public long? CacheCreation;
        public bool HasPromptDetails;
        public bool HasInputDetails;
        public bool HasCompletionDetails;
        public bool HasOutputDetails;
        public bool HasCacheCreationSplit;
        public long? PromptCached;
        public long? PromptAudio;
        public long? InputCached;
        public long? InputAudio;
        public long? CompletionReasoning;
        public long? CompletionAudio;
        public long? OutputReasoning;
        public long? OutputAudio;
        public long? Write5m;
        public long? Write1h;

        public void Seen(Field parent)
        {
            switch (parent)
            {
                case Field.PromptDetails: HasPromptDetails = true; break;
                case Field.InputDetails: HasInputDetails = true; break;
                case Field.CompletionDetails: HasCompletionDetails = true; break;
                case Field.OutputDetails: HasOutputDetails = true; break;
                case Field.CacheCreation: HasCacheCreationSplit = true; break;
            }
        }

        public void Set(Field parent, Field name, long value)
        {
            switch (parent, name)
            {
                case (Field.None, Field.PromptTokens): Prompt = value; break;
                case (Field.None, Field.CompletionTokens): Completion = value; break;
                case (Field.None, Field.InputTokens): Input = value; break;
                case (Field.None, Field.OutputTokens): Output = value; break;
                case (Field.None, Field.PromptCacheHitTokens): PromptCacheHit = value; break;
                case (Field.None, Field.CacheReadInputTokens): CacheRead = value; break;
                case (Field.None, Field.CacheCreationInputTokens): CacheCreation = value; break;
                case (Field.PromptDetails, Field.CachedTokens): PromptCached = value; break;
                case (Field.PromptDetails, Field.AudioTokens): PromptAudio = value; break;
                case (Field.InputDetails, Field.CachedTokens): InputCached = value; break;
                case (Field.InputDetails, Field.AudioTokens): InputAudio = value; break;
                case (Field.CompletionDetails, Field.ReasoningTokens): CompletionReasoning = value; break;
                case (Field.CompletionDetails, Field.AudioTokens): CompletionAudio = value; break;
                case (Field.OutputDetails, Field.ReasoningTokens): OutputReasoning = value; break;
                case (Field.OutputDetails, Field.AudioTokens): OutputAudio = value; break;
                case (Field.CacheCreation, Field.Ephemeral5m): Write5m = value; break;
                case (Field.CacheCreation, Field.Ephemeral1h): Write1h = value; break;
            }
        }

        public readonly TokenUsage? OpenAI()
        {
            var input = Prompt ?? Input;
            var output = Completion ?? Output;
            if (input is null && output is null)
            {
                return null;
            }

            // As OpenAIUsage: prompt_tokens_details wins over input_tokens_details when both are objects.
            var cached = HasPromptDetails ? PromptCached : HasInputDetails ? InputCached : null;
            var inputAudio = HasPromptDetails ? PromptAudio : HasInputDetails ? InputAudio : null;
            var reasoning = HasCompletionDetails ? CompletionReasoning : HasOutputDetails ? OutputReasoning : null;
            var outputAudio = HasCompletionDetails ? CompletionAudio : HasOutputDetails ? OutputAudio : null;
            return new TokenUsage
            {
                InputTokens = input ?? 0,
                CachedInputTokens = cached ?? PromptCacheHit ?? 0,
                InputAudioTokens = inputAudio ?? 0,
                OutputTokens = output ?? 0,
                ReasoningTokens = reasoning ?? 0,
                OutputAudioTokens = outputAudio ?? 0,
            }.Validate();
        }

        public readonly TokenUsage? Anthropic()
        {
            if (Input is null && Output is null)
            {
                return null;
            }

            var read = CacheRead ?? 0;
            var creation = CacheCreation ?? 0;
            long write5m = creation;
            long write1h = 0;
            if (HasCacheCreationSplit && (Write5m is not null || Write1h is not null))
            {
                write5m = Write5m ?? 0;
                write1h = Write1h ?? 0;
                if (creation != 0 && write5m + write1h != creation)
                {
                    // Inconsistent: the core parser says so.
                    return null;
                }
            }

            return new TokenUsage
            {
                InputTokens = (Input ?? 0) + read + write5m + write1h,
                CachedInputTokens = read,
                CacheWriteTokens = write5m,
                CacheWrite1hTokens = write1h,
                OutputTokens = Output ?? 0,
            }.Validate();
        }
    }
}
