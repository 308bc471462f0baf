using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Http.Safety;

/// <summary>One text found in a wire body, with how to write a new value back into the same place.</summary>
/// <param name="Text">The text and where it comes from.</param>
/// <param name="Write">Puts a new value where the text was.</param>
internal readonly record struct WireText(SafetyText Text, Action<string> Write)
{
    /// <summary>How bodies and tool-call inputs are written: valid JSON, without escaping what need not be escaped, so a scanner reads what a person would.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The string value of <paramref name="node"/>, or null when it is not a JSON string.</summary>
    public static string? StringOf(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>Adds <paramref name="parent"/>[<paramref name="name"/>] when it is a string.</summary>
    public static void AddString(List<WireText> texts, JsonObject parent, string name, SafetyTextKind kind)
    {
        if (StringOf(parent[name]) is { } text)
        {
            texts.Add(new WireText(new SafetyText(text, kind), value => parent[name] = value));
        }
    }

    /// <summary>Adds the <c>text</c> of each part of <paramref name="parts"/> that has one (text, input_text, output_text parts).</summary>
    public static void AddTextParts(List<WireText> texts, JsonArray parts, SafetyTextKind kind)
    {
        foreach (var part in parts)
        {
            if (part is JsonObject block && (StringOf(block["type"]) is null or "text" or "input_text" or "output_text"))
            {
                AddString(texts, block, "text", kind);
            }
        }
    }

    /// <summary>Adds a content field that is a string or an array of text parts.</summary>
    public static void AddContent(List<WireText> texts, JsonObject parent, string name, SafetyTextKind kind)
    {
        switch (parent[name])
        {
            case JsonArray parts:
                AddTextParts(texts, parts, kind);
                break;
            default:
                AddString(texts, parent, name, kind);
                break;
        }
    }

    /// <summary>The kind of a message's texts from its role.</summary>
    public static SafetyTextKind KindOf(string? role) => role switch
    {
        "system" or "developer" => SafetyTextKind.System,
        "assistant" or "model" => SafetyTextKind.Assistant,
        "tool" or "function" => SafetyTextKind.ToolResult,
        _ => SafetyTextKind.User,
    };
}
