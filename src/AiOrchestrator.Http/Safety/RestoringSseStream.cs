using AiOrchestrator.Http.Pipeline;

namespace AiOrchestrator.Http.Safety;

/// <summary>
/// Reads an event stream and gives out each event once it is complete (up to the blank line that ends it), restored
/// by an <see cref="SseRestorer"/>. An event is held only until its end arrives, so the caller still gets every
/// event as the provider sends it.
/// </summary>
internal sealed class RestoringSseStream(Stream inner, SseRestorer restorer) : ReadOnlyStream
{
    private readonly MemoryStream _output = new();
    private byte[] _input = new byte[4096];
    private int _inputLength;
    private int _scanned;
    private int _outputRead;
    private bool _ended;

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (Available == 0 && !_ended)
        {
            Grow();
            var read = await inner.ReadAsync(_input.AsMemory(_inputLength), cancellationToken).ConfigureAwait(false);
            Received(read);
        }

        return Take(buffer.Span);
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        while (Available == 0 && !_ended)
        {
            Grow();
            Received(inner.Read(_input.AsSpan(_inputLength)));
        }

        return Take(buffer);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _output.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Available => (int)_output.Length - _outputRead;

    private void Grow()
    {
        if (_inputLength == _input.Length)
        {
            Array.Resize(ref _input, _input.Length * 2);
        }
    }

    /// <summary>Takes in <paramref name="read"/> more bytes and processes every event they complete.</summary>
    private void Received(int read)
    {
        if (_outputRead == _output.Length)
        {
            _output.SetLength(0);
            _outputRead = 0;
        }

        if (read == 0)
        {
            _ended = true;
            if (_inputLength > 0)
            {
                restorer.Process(_input.AsSpan(0, _inputLength), _output);
                _inputLength = 0;
            }

            restorer.FlushAll(_output);
            return;
        }

        _inputLength += read;
        var consumed = 0;
        for (var i = Math.Max(_scanned, 1); i < _inputLength; i++)
        {
            // An event ends at a blank line: "\n\n" or "\n\r\n".
            if (_input[i] != (byte)'\n')
            {
                continue;
            }

            var blank = _input[i - 1] == (byte)'\n' || (_input[i - 1] == (byte)'\r' && i >= 2 && _input[i - 2] == (byte)'\n');
            if (blank && i > consumed)
            {
                restorer.Process(_input.AsSpan(consumed, i + 1 - consumed), _output);
                consumed = i + 1;
            }
        }

        if (consumed > 0)
        {
            _input.AsSpan(consumed, _inputLength - consumed).CopyTo(_input);
            _inputLength -= consumed;
        }

        _scanned = _inputLength;
    }

    private int Take(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, Available);
        if (count == 0)
        {
            return 0;
        }

        _output.GetBuffer().AsSpan(_outputRead, count).CopyTo(buffer);
        _outputRead += count;
        return count;
    }
}
