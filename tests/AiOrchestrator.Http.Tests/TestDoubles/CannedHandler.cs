using System.Net;
using System.Text;

namespace AiOrchestrator.Http.Tests.TestDoubles;

/// <summary>
/// An in-memory provider: answers every request with a canned body, streamed in the chunks the test chooses, with
/// an action before each read (to move a fake clock) and an optional failure after the last chunk.
/// </summary>
internal sealed class CannedHandler : HttpMessageHandler
{
    private readonly Func<IReadOnlyList<byte[]>> _chunks;
    private readonly string _contentType;

    public CannedHandler(string body, string contentType, int chunkSize = int.MaxValue)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        BodyLength = bytes.Length;
        _chunks = () => Split(bytes, chunkSize);
        _contentType = contentType;
    }

    /// <summary>The body's length in bytes.</summary>
    public int BodyLength { get; }

    /// <summary>Runs before each read of the body, with the index of the chunk about to be returned.</summary>
    public Action<int>? BeforeRead { get; set; }

    /// <summary>Thrown by the read after the last chunk, instead of the end of the stream.</summary>
    public Exception? FailAtEnd { get; set; }

    /// <summary>When set, the read after the last chunk waits for its cancellation token.</summary>
    public bool HangAtEnd { get; set; }

    /// <summary>The bodies of the requests received.</summary>
    public List<string> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
        var content = new StreamContent(new ChunkedStream(_chunks(), this));
        content.Headers.TryAddWithoutValidation("Content-Type", _contentType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    private static List<byte[]> Split(byte[] bytes, int size)
    {
        var chunks = new List<byte[]>();
        for (var i = 0; i < bytes.Length; i += size)
        {
            chunks.Add(bytes[i..Math.Min(bytes.Length, i + size)]);
        }

        return chunks;
    }

    private sealed class ChunkedStream(IReadOnlyList<byte[]> chunks, CannedHandler owner) : Stream
    {
        private int _next;
        private int _offset;

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            owner.BeforeRead?.Invoke(_next);
            if (_next == chunks.Count)
            {
                if (owner.HangAtEnd)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                if (owner.FailAtEnd is { } failure)
                {
                    throw failure;
                }

                return 0;
            }

            return Take(buffer.Span);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            owner.BeforeRead?.Invoke(_next);
            return _next == chunks.Count ? (owner.FailAtEnd is { } failure ? throw failure : 0) : Take(buffer.AsSpan(offset, count));
        }

        private int Take(Span<byte> buffer)
        {
            var chunk = chunks[_next].AsSpan(_offset);
            var length = Math.Min(chunk.Length, buffer.Length);
            chunk[..length].CopyTo(buffer);
            _offset += length;
            if (_offset == chunks[_next].Length)
            {
                _next++;
                _offset = 0;
            }

            return length;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
