namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// Passes a provider's event stream to the caller byte for byte while a <see cref="StreamMeter"/> meters it.
/// Reading to the end, failing, or disposing early each records the attempt once.
/// </summary>
internal sealed class MeteredStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly StreamMeter _meter;

    public MeteredStream(Stream inner, StreamMeter meter)
    {
        _inner = inner;
        _meter = meter;
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfStopped();
        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _meter.Fail(ex, ex is OperationCanceledException && cancellationToken.IsCancellationRequested);
            throw;
        }

        return Passed(buffer.Span[..read]);
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        ThrowIfStopped();
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex)
        {
            _meter.Fail(ex, cancelled: false);
            throw;
        }

        return Passed(buffer[..read]);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        _meter.Abandon();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
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

    private int Passed(ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (bytes.IsEmpty)
            {
                _meter.EndOfStream();
            }
            else
            {
                _meter.Scan(bytes);
            }
        }
        catch (Exception ex) when (ex is StreamCutOffException or ProviderResponseException)
        {
            // Stop reading from the provider: closing the connection stops generation (and billing) there.
            _inner.Dispose();
            throw;
        }

        return bytes.Length;
    }

    private void ThrowIfStopped()
    {
        if (_meter.Stopped is { } stopped)
        {
            throw stopped;
        }
    }
}
