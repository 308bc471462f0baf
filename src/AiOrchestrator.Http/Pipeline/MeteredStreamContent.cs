namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// Stands in for a streamed response's content: the same headers, and a read stream that yields the same bytes
/// through a <see cref="MeteredStream"/>. Disposing it before the stream was read to the end records an abandoned
/// attempt.
/// </summary>
internal sealed class MeteredStreamContent(HttpContent inner, StreamMeter meter) : WrappedStreamContent(inner, keepsLength: true)
{
    /// <inheritdoc/>
    protected override Stream Wrap(Stream source) => new MeteredStream(source, meter);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            meter.Abandon();
        }

        base.Dispose(disposing);
    }
}
