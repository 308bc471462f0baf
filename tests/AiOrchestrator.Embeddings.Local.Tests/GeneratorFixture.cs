namespace AiOrchestrator.Embeddings.Local.Tests;

/// <summary>One loaded model for the whole test class: loading it takes about a second.</summary>
public sealed class GeneratorFixture : IDisposable
{
    public LocalEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();

    public static float Cosine(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b)
    {
        var x = a.Span;
        var y = b.Span;
        double dot = 0, nx = 0, ny = 0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }

        return (float)(dot / Math.Sqrt(nx * ny));
    }

    public static double Norm(ReadOnlyMemory<float> v)
    {
        double sum = 0;
        foreach (var x in v.Span)
        {
            sum += x * x;
        }

        return Math.Sqrt(sum);
    }
}
