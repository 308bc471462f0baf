using System.Net;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// Stands in for a streamed response's content: the same headers, and a read stream that yields the same bytes
/// through a <see cref="MeteredStream"/>. Disposing it before the stream was read to the end records an abandoned
/// attempt.
/// </summary>
internal sealed class MeteredStreamContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly StreamMeter _meter;

    public MeteredStreamContent(HttpContent inner, StreamMeter meter)
    {
        _inner = inner;
        _meter = meter;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
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
        => new MeteredStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _meter);

    /// <inheritdoc/>
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken)
        => new MeteredStream(_inner.ReadAsStream(cancellationToken), _meter);

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
            _meter.Abandon();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
