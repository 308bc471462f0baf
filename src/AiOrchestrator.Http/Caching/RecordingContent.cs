using System.Net;

namespace AiOrchestrator.Http.Caching;

/// <summary>
/// The content of a streamed response on its way to the caller, copied as it is read so that, once the stream ends
/// whole, the copy becomes a cache entry. A stream that ends early (disposed, failed) or grows past the size limit is
/// not kept. <paramref name="completed"/> runs exactly once, with the bytes or with null.
/// </summary>
internal sealed class RecordingContent(HttpContent inner, int limit, Action<byte[]?> completed) : HttpContent
{
    private int _done;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new Recorder(await inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Finish(null);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Finish(byte[]? bytes)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            completed(bytes);
        }
    }

    private sealed class Recorder(Stream inner, RecordingContent owner) : Stream
    {
        private MemoryStream? _copy = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Seen(inner.Read(buffer, offset, count), buffer.AsSpan(offset));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Seen(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Span);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                owner.Finish(null);
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Seen(int read, ReadOnlySpan<byte> buffer)
        {
            if (read == 0)
            {
                owner.Finish(_copy?.ToArray());
                _copy = null;
            }
            else if (_copy is not null)
            {
                if (_copy.Length + read > owner.Limit)
                {
                    _copy = null; // too large to keep; the caller still gets every byte
                }
                else
                {
                    _copy.Write(buffer[..read]);
                }
            }

            return read;
        }
    }

    private int Limit => limit;
}
