using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HttpClientPipeline;

/// <summary>
/// A tiny stand-in for an OpenAI-compatible server on 127.0.0.1: answers POST /v1/chat/completions with a fixed
/// answer, as one JSON body or as a server-sent event stream ending with a usage chunk, as the real API does.
/// </summary>
internal static class FakeProvider
{
    private static readonly string[] Answer = ["A budget ", "reservation ", "holds the worst-case cost ", "of a call ", "until its real cost is known."];

    public static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", AnswerAsync);
        await app.StartAsync();
        return app;
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        var request = await JsonNode.ParseAsync(context.Request.Body) ?? new JsonObject();
        var model = request["model"]?.GetValue<string>() ?? "gpt-4o-mini";
        var stream = request["stream"]?.GetValue<bool>() ?? false;
        var promptTokens = (request["messages"]?.ToJsonString().Length ?? 0) / 4;
        var usage = new JsonObject
        {
            ["prompt_tokens"] = promptTokens,
            ["completion_tokens"] = 17,
            ["total_tokens"] = promptTokens + 17,
        };
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject
            {
                ["id"] = "chatcmpl-local",
                ["object"] = "chat.completion",
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(Answer) },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = usage,
            }.ToJsonString());
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var piece in Answer)
        {
            await Event(context, Chunk(model, new JsonObject { ["content"] = piece }, null));
            await Task.Delay(40);
        }

        await Event(context, Chunk(model, new JsonObject(), "stop"));
        await Event(context, new JsonObject { ["id"] = "chatcmpl-local", ["object"] = "chat.completion.chunk", ["model"] = model, ["choices"] = new JsonArray(), ["usage"] = usage }.ToJsonString());
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static string Chunk(string model, JsonObject delta, string? finishReason) => new JsonObject
    {
        ["id"] = "chatcmpl-local",
        ["object"] = "chat.completion.chunk",
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
        ["usage"] = null,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    private static async Task Event(HttpContext context, string json)
    {
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {json}\n\n"));
        await context.Response.Body.FlushAsync();
    }
}
