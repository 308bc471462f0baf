using AiOrchestrator.Http.Pipeline;

namespace AiOrchestrator.Http.Safety;

/// <summary>
/// Stands in for a streamed answer's content: the same headers, and a read stream that restores the call's
/// placeholders and applying the output policy event by event (<see cref="SseRestorer"/>). Disposing it disposes the content it wraps, so an
/// abandoned stream is still recorded by the meter underneath.
/// </summary>
internal sealed class RestoringSseContent(HttpContent inner, SseRestorer restorer) : WrappedStreamContent(inner, keepsLength: false)
{
    /// <inheritdoc/>
    protected override Stream Wrap(Stream source) => new RestoringSseStream(source, restorer);
}
