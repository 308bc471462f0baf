using System.Diagnostics.CodeAnalysis;
using AiOrchestrator.Pipeline;

namespace AiOrchestrator.Safety;

/// <summary>Where a text of a call comes from, which decides what is checked in it.</summary>
[Experimental(AiCall.ExperimentalDiagnosticId)]
public enum SafetyTextKind
{
    /// <summary>A user's message: scanned for sensitive data and checked for prompt injection.</summary>
    User,

    /// <summary>The application's system or developer prompt: scanned for sensitive data, not checked for injection.</summary>
    System,

    /// <summary>An earlier answer of the model in the conversation: scanned for sensitive data only.</summary>
    Assistant,

    /// <summary>A tool's result fed back to the model: scanned, and checked for (indirect) injection.</summary>
    ToolResult,

    /// <summary>A tool call's arguments as JSON text: scanned for sensitive data; restore with <see cref="RedactionSession.RestoreJson"/>.</summary>
    ToolCallArguments,

    /// <summary>A retrieved document or web page put into the prompt: scanned, and checked for (indirect) injection.</summary>
    Document,
}
