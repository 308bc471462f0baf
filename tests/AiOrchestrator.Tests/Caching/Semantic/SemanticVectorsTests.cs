using AiOrchestrator.Caching.Semantic;

namespace AiOrchestrator.Tests.Caching.Semantic;

public sealed class SemanticVectorsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(384)]
    [InlineData(4096)]
    public void The_code_dot_product_equals_the_scalar_sum(int length)
    {
        var random = new Random(length);
        var row = new byte[length];
        var query = new sbyte[length];
        long expected = 0;
        for (var i = 0; i < length; i++)
        {
            row[i] = (byte)random.Next(1, 256);
            query[i] = (sbyte)random.Next(-127, 128);
            expected += row[i] * query[i];
        }

        SemanticVectors.DotCodes(row, query).Should().Be((int)expected);
    }

    [Fact]
    public void The_quantisation_error_bounds_the_estimated_similarity()
    {
        var random = new Random(9);
        const int D = 384;
        Span<float> a = stackalloc float[D];
        Span<float> b = stackalloc float[D];
        var rowCodes = new byte[D];
        var queryCodes = new sbyte[D];
        for (var trial = 0; trial < 200; trial++)
        {
            SemanticVectors.Normalize(TestVectors.Random(random, D), a, "a");
            SemanticVectors.Normalize(TestVectors.Random(random, D), b, "b");
            var (rowScale, rowError) = SemanticVectors.Quantize(a, rowCodes);
            var (queryScale, queryError, codeSum) = SemanticVectors.QuantizeQuery(b, queryCodes);
            var estimate = (SemanticVectors.DotCodes(rowCodes, queryCodes) - (SemanticVectors.CodeOffset * codeSum)) * (double)rowScale * queryScale;
            double exact = 0;
            for (var d = 0; d < D; d++)
            {
                exact += a[d] * (double)b[d];
            }

            Math.Abs(exact - estimate).Should().BeLessThanOrEqualTo(rowError + (queryError * (1 + rowError)) + 1e-6);
        }
    }
}
