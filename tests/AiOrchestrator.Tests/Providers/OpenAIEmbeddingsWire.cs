using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace AiOrchestrator.Tests.Providers;

/// <summary>
/// Bodies of OpenAI's embeddings API (POST /v1/embeddings) in its documented format: a <c>list</c> of
/// <c>embedding</c> objects, the model that served them and <c>usage</c> with <c>prompt_tokens</c> and
/// <c>total_tokens</c>; each vector a JSON array of floats, or (for <c>"encoding_format": "base64"</c>, which the
/// OpenAI .NET SDK asks for) the base64 of its little-endian float32 values.
/// </summary>
internal static class OpenAIEmbeddingsWire
{
    /// <summary>A response with one vector of <paramref name="dimensions"/> per input; no usage block when <paramref name="promptTokens"/> is null.</summary>
    public static string Response(string model, int inputs, long? promptTokens, int dimensions = 8, bool base64 = true)
    {
        var data = new JsonArray();
        for (var i = 0; i < inputs; i++)
        {
            var vector = Vector(i, dimensions);
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64 ? Base64(vector) : new JsonArray([.. vector.Select(v => (JsonNode)v)]),
            });
        }

        var body = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
        };
        if (promptTokens is { } tokens)
        {
            body["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens };
        }

        return body.ToJsonString();
    }

    /// <summary>An error body as the API sends it with a 4xx or 5xx status.</summary>
    public static string Error(string message, string type = "server_error") => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["param"] = null,
            ["code"] = null,
        },
    }.ToJsonString();

    /// <summary>The vector served for input <paramref name="index"/>.</summary>
    public static float[] Vector(int index, int dimensions)
    {
        var vector = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            vector[d] = (index + 1) * 0.001f * (d + 1);
        }

        return vector;
    }

    private static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }
}
