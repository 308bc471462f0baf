using System.Net;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Safety;

namespace AiOrchestrator.Http.Safety;

/// <summary>
/// Stands in for a streamed answer's content: the same headers, and a read stream that restores the call's
/// placeholders event by event (<see cref="SseRestorer"/>). Disposing it disposes the content it wraps, so an
/// abandoned stream is still recorded by the meter underneath.
/// </summary>
internal sealed class RestoringSseContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly RedactionSession _session;
    private readonly WireFormat _format;

    public RestoringSseContent(HttpContent inner, RedactionSession session, WireFormat format)
    {
        _inner = inner;
        _session = session;
        _format = format;
        foreach (var header in inner.Headers)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc/>
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var source = CreateContentReadStream(cancellationToken);
        source.CopyTo(stream);
    }

    /// <inheritdoc/>
    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    /// <inheritdoc/>
    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new RestoringSseStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), new SseRestorer(_session, _format));

    /// <inheritdoc/>
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken)
        => new RestoringSseStream(_inner.ReadAsStream(cancellationToken), new SseRestorer(_session, _format));

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
