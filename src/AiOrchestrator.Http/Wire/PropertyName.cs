using System.Text;
using System.Text.Json;

namespace AiOrchestrator.Http.Wire;

/// <summary>The UTF-8 bytes of the property name a reader is on, unescaped only when needed (rarely).</summary>
internal static class PropertyName
{
    public static ReadOnlySpan<byte> Of(ref Utf8JsonReader reader)
        => !reader.ValueIsEscaped && !reader.HasValueSequence ? reader.ValueSpan : Encoding.UTF8.GetBytes(reader.GetString()!);
}
