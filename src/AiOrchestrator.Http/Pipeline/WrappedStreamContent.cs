using System.Net;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// Stands in for a response's content: its headers (its length only when the wrapper keeps the bytes as they are), and
/// read streams that pass the content's stream through <see cref="Wrap"/>. Disposing it disposes the content it wraps.
/// The metering and the safety restoration of streamed answers are both such wrappers.
/// </summary>
internal abstract class WrappedStreamContent : HttpContent
{
    protected WrappedStreamContent(HttpContent inner, bool keepsLength)
    {
        Inner = inner;
        foreach (var header in inner.Headers)
        {
            if (keepsLength || !string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    /// <summary>The content this one stands in for.</summary>
    protected HttpContent Inner { get; }

    /// <summary>The stream a reader gets over the inner content's <paramref name="source"/>.</summary>
    protected abstract Stream Wrap(Stream source);

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
        => Wrap(await Inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => Wrap(Inner.ReadAsStream(cancellationToken));

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
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
