namespace AiOrchestrator.Tests.Caching.Semantic;

/// <summary>Vectors for the semantic index tests, from a fixed seed.</summary>
internal static class TestVectors
{
    public static float[] Random(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            vector[d] = (float)((random.NextDouble() * 2) - 1);
        }

        return vector;
    }

    /// <summary><paramref name="source"/> plus uniform noise of the given amplitude.</summary>
    public static float[] Near(Random random, float[] source, float noise)
    {
        var vector = (float[])source.Clone();
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] += (float)((random.NextDouble() * 2) - 1) * noise;
        }

        return vector;
    }

    /// <summary>The unit vector along axis <paramref name="axis"/>.</summary>
    public static float[] Axis(int dimensions, int axis)
    {
        var vector = new float[dimensions];
        vector[axis] = 1f;
        return vector;
    }

    /// <summary>The cosine similarity, in double precision: the brute-force reference.</summary>
    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var d = 0; d < a.Length; d++)
        {
            dot += (double)a[d] * b[d];
            na += (double)a[d] * a[d];
            nb += (double)b[d] * b[d];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
