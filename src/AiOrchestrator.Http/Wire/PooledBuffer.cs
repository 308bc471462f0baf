using System.Buffers;

namespace AiOrchestrator.Http.Wire;

/// <summary>
/// A write-only stream over a buffer rented from <see cref="ArrayPool{T}"/>, that an <see cref="HttpContent"/> copies
/// itself into so the handler can read the bytes without taking the content's own read stream from the caller.
/// Dispose it to return the buffer.
/// </summary>
internal sealed class PooledBuffer : Stream
{
    private byte[] _buffer;
    private int _length;

    public PooledBuffer(long capacityHint)
    {
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(capacityHint, 256, 1 << 20));
    }

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>The bytes written, as memory (valid until the buffer is disposed).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Copies <paramref name="content"/> into a new buffer; the content stays readable for the caller.</summary>
    public static async Task<PooledBuffer> CopyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // Byte-array contents (StringContent, ByteArrayContent) can be serialised any number of times. Anything else
        // (a network stream, JsonContent, StreamContent) is buffered first, so it is read once and can still be sent,
        // re-sent by a retry, or read by the caller.
        if (content is not ByteArrayContent and not ReadOnlyMemoryContent)
        {
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var buffer = new PooledBuffer(content.Headers.ContentLength ?? 4096);
        try
        {
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }
        catch
        {
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > _buffer.Length)
        {
            Grow(_length + buffer.Length);
        }

        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
