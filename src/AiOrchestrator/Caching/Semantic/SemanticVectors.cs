using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AiOrchestrator.Caching.Semantic;

/// <summary>
/// The vector arithmetic of the semantic index: checking and normalising vectors to unit length, and the 8-bit codes
/// that make a scan read a fifth of the memory (see <see cref="SemanticIndex"/> for how they are used).
/// </summary>
/// <remarks>
/// A row is quantised with its own scale: <c>code = round(v / scale)</c> with <c>scale = max|v| / 127</c>, stored as the
/// byte <c>code + 128</c> (1 to 255) so the scan can use the unsigned-by-signed byte dot product of AVX-VNNI. The
/// quantisation error of the row, <c>‖v − code·scale‖</c>, is kept beside the scale: it bounds how far the 8-bit estimate
/// of a similarity can be from the exact one, which lets the scan skip rows that cannot be the answer without ever
/// missing one that is.
/// </remarks>
internal static class SemanticVectors
{
    /// <summary>The offset added to a signed code to store it as a byte.</summary>
    public const int CodeOffset = 128;

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> scaled to unit length; throws
    /// <see cref="ArgumentException"/> naming what is wrong when it has the wrong length, or is zero, NaN or infinite.
    /// </summary>
    public static void Normalize(ReadOnlySpan<float> source, Span<float> destination, string paramName)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"The vector has {source.Length} dimensions; this index holds vectors of {destination.Length}.", paramName);
        }

        // MaxMagnitude propagates NaN; an infinity is its own magnitude. Scaling by it first keeps the norm from
        // overflowing for large finite components and from underflowing for tiny ones.
        var maxMagnitude = MathF.Abs(TensorPrimitives.MaxMagnitude(source));
        if (float.IsNaN(maxMagnitude))
        {
            throw new ArgumentException("The vector contains NaN; it cannot be compared with others.", paramName);
        }

        if (float.IsInfinity(maxMagnitude))
        {
            throw new ArgumentException("The vector contains an infinite component; it cannot be compared with others.", paramName);
        }

        if (maxMagnitude == 0f)
        {
            throw new ArgumentException("The vector is all zeros; it has no direction to compare by.", paramName);
        }

        TensorPrimitives.Divide(source, maxMagnitude, destination);
        var norm = TensorPrimitives.Norm(destination);
        TensorPrimitives.Divide(destination, norm, destination);
    }

    /// <summary>
    /// Quantises the unit vector <paramref name="unit"/> into <paramref name="codes"/> (signed codes offset by
    /// <see cref="CodeOffset"/>); returns the scale and the error norm of the quantised vector.
    /// </summary>
    public static (float Scale, float Error) Quantize(ReadOnlySpan<float> unit, Span<byte> codes)
    {
        var maxMagnitude = MathF.Abs(TensorPrimitives.MaxMagnitude(unit));
        var scale = maxMagnitude / 127f;
        var inverse = 127f / maxMagnitude;
        double errorSquared = 0;
        for (var i = 0; i < unit.Length; i++)
        {
            var code = Math.Clamp((int)MathF.Round(unit[i] * inverse), -127, 127);
            codes[i] = (byte)(code + CodeOffset);
            var residual = unit[i] - (code * scale);
            errorSquared += residual * residual;
        }

        return (scale, (float)Math.Sqrt(errorSquared));
    }

    /// <summary>
    /// Quantises the unit query vector <paramref name="unit"/> into signed <paramref name="codes"/>; returns the scale,
    /// the error norm, and the sum of the codes (what the byte offset of stored rows adds to every dot product).
    /// </summary>
    public static (float Scale, float Error, int CodeSum) QuantizeQuery(ReadOnlySpan<float> unit, Span<sbyte> codes)
    {
        var maxMagnitude = MathF.Abs(TensorPrimitives.MaxMagnitude(unit));
        var scale = maxMagnitude / 127f;
        var inverse = 127f / maxMagnitude;
        double errorSquared = 0;
        var sum = 0;
        for (var i = 0; i < unit.Length; i++)
        {
            var code = Math.Clamp((int)MathF.Round(unit[i] * inverse), -127, 127);
            codes[i] = (sbyte)code;
            sum += code;
            var residual = unit[i] - (code * scale);
            errorSquared += residual * residual;
        }

        return (scale, (float)Math.Sqrt(errorSquared), sum);
    }

    /// <summary>
    /// The sum of <c>row[i] × query[i]</c> with the row's bytes read as unsigned: the caller subtracts
    /// <c>CodeOffset × Σquery</c> to get the dot product of the signed codes.
    /// </summary>
    public static int DotCodes(ReadOnlySpan<byte> row, ReadOnlySpan<sbyte> query)
    {
        var length = Math.Min(row.Length, query.Length);
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var q = ref MemoryMarshal.GetReference(query);
        var i = 0;
        var sum = 0;
        if (AvxVnni.IsSupported && length >= Vector256<byte>.Count)
        {
            // vpdpbusd: four unsigned-by-signed byte products summed into each int lane, one instruction per 32 bytes.
            // Four accumulators, so consecutive instructions do not wait for each other's result (a single chain is
            // bound by the instruction's latency, about four times slower).
            var a0 = Vector256<int>.Zero;
            var a1 = Vector256<int>.Zero;
            var a2 = Vector256<int>.Zero;
            var a3 = Vector256<int>.Zero;
            for (; i <= length - (4 * Vector256<byte>.Count); i += 4 * Vector256<byte>.Count)
            {
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r, (nuint)i), Vector256.LoadUnsafe(ref q, (nuint)i));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref r, (nuint)(i + 32)), Vector256.LoadUnsafe(ref q, (nuint)(i + 32)));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.LoadUnsafe(ref r, (nuint)(i + 64)), Vector256.LoadUnsafe(ref q, (nuint)(i + 64)));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.LoadUnsafe(ref r, (nuint)(i + 96)), Vector256.LoadUnsafe(ref q, (nuint)(i + 96)));
            }

            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref r, (nuint)i), Vector256.LoadUnsafe(ref q, (nuint)i));
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector128.IsHardwareAccelerated && length >= Vector128<byte>.Count)
        {
            // Widened to 16 bits a product is at most 255 × 127 = 32,385, so it fits; the sums are kept in 32 bits.
            var accumulator = Vector128<int>.Zero;
            for (; i <= length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var (rowLow, rowHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref r, (nuint)i));
                var (queryLow, queryHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref q, (nuint)i));
                var (p0, p1) = Vector128.Widen(rowLow.AsInt16() * queryLow);
                var (p2, p3) = Vector128.Widen(rowHigh.AsInt16() * queryHigh);
                accumulator += (p0 + p1) + (p2 + p3);
            }

            sum = Vector128.Sum(accumulator);
        }

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref r, i) * Unsafe.Add(ref q, i);
        }

        return sum;
    }
}
