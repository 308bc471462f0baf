using System.Buffers;
using System.Net;
using System.Text.Json;
using AiOrchestrator.Http.Wire;
using AiOrchestrator.Metering;
using AiOrchestrator.Pipeline;
using AiOrchestrator.Tokens;

namespace AiOrchestrator.Http.Pipeline;

/// <summary>
/// Meters one streamed attempt as its bytes pass to the caller: splits them into server-sent event lines, reads each
/// event's output and usage (Chat Completions: the last chunk's <c>usage</c>; Responses: <c>response.completed</c>;
/// Anthropic: <c>message_start</c> merged with <c>message_delta</c>), records the time to the first output, cuts the
/// stream off when its estimated cost runs past the reservation, and records the attempt exactly once: at the end of
/// the stream, on an error, or when the caller disposes it early (then the usage is estimated).
/// </summary>
internal sealed class StreamMeter
{
    private const string CutOffError = "BudgetCutOff";
    private const string TruncatedError = "TruncatedStream";

    private readonly AttemptRun _run;
    private readonly Uri? _uri;
    private readonly HttpStatusCode _status;

    private byte[] _line = ArrayPool<byte>.Shared.Rent(1024);
    private int _lineLength;
    private byte[] _data = ArrayPool<byte>.Shared.Rent(1024);
    private int _dataLength;
    private bool _hasData;
    private bool _afterCarriageReturn;

    private TextTally _output;
    private TokenUsage? _usage;
    private TokenUsage? _start;
    private string? _model;
    private TimeSpan? _firstToken;
    private End _end;
    private int _finished;

    public StreamMeter(AttemptRun run, Uri? uri, HttpStatusCode status)
    {
        _run = run;
        _uri = uri;
        _status = status;
    }

    private enum End
    {
        None,
        Completed,
        Failed,
    }

    /// <summary>The exception every later read gets once the stream was stopped (cut off, garbage, truncated).</summary>
    public Exception? Stopped { get; private set; }

    /// <summary>Scans bytes the caller is about to receive.</summary>
    /// <exception cref="ProviderResponseException">An event is not JSON.</exception>
    /// <exception cref="StreamCutOffException">The estimated cost ran past the reservation.</exception>
    public void Scan(ReadOnlySpan<byte> bytes)
    {
        if (Volatile.Read(ref _finished) != 0)
        {
            return;
        }

        if (_afterCarriageReturn && bytes[0] == (byte)'\n')
        {
            bytes = bytes[1..];
        }

        _afterCarriageReturn = false;
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                Append(ref _line, ref _lineLength, bytes);
                return;
            }

            if (_lineLength == 0)
            {
                Line(bytes[..end]);
            }
            else
            {
                Append(ref _line, ref _lineLength, bytes[..end]);
                var length = _lineLength;
                _lineLength = 0;
                Line(_line.AsSpan(0, length));
            }

            if (bytes[end] == (byte)'\r')
            {
                if (end + 1 == bytes.Length)
                {
                    _afterCarriageReturn = true;
                }
                else if (bytes[end + 1] == (byte)'\n')
                {
                    end++;
                }
            }

            bytes = bytes[(end + 1)..];
        }
    }

    /// <summary>The provider closed the stream.</summary>
    /// <exception cref="ProviderResponseException">It ended before its final event.</exception>
    public void EndOfStream()
    {
        if (Volatile.Read(ref _finished) != 0)
        {
            return;
        }

        // A last event without its blank line still counts when it is whole; a torn one marks a truncated stream.
        if (_lineLength > 0)
        {
            var length = _lineLength;
            _lineLength = 0;
            Line(_line.AsSpan(0, length));
        }

        Dispatch(atEnd: true);

        if (_end == End.None)
        {
            var expected = _run.Call.Format switch
            {
                WireFormat.OpenAIChat => "data: [DONE]",
                WireFormat.OpenAIResponses => "response.completed",
                _ => "message_stop",
            };
            var reason = $"the stream ended before its final event ({expected}), so the response is incomplete";
            Finish(_usage, CallOutcome.Failed, TruncatedError);
            throw Stop(new ProviderResponseException(
                $"The response of {_run.Call.Provider} to {_uri} cannot be metered: {reason}. The attempt is recorded as failed with the usage seen so far (estimated); retry the call.",
                _run.Call.Provider, _run.Attempt.Model, _uri, _status));
        }

        Finish(_usage, _end == End.Failed ? CallOutcome.Failed : CallOutcome.Succeeded, _end == End.Failed ? "ProviderError" : null);
    }

    /// <summary>Reading from the provider failed or was cancelled.</summary>
    public void Fail(Exception exception, bool cancelled)
    {
        Finish(_usage, cancelled ? CallOutcome.Cancelled : CallOutcome.Failed, exception.GetType().Name);
    }

    /// <summary>The caller disposed the stream (or the response) before its end.</summary>
    public void Abandon()
    {
        if (Volatile.Read(ref _finished) != 0)
        {
            return;
        }

        // A reader that stops at the final event (or the final usage) has read the whole answer.
        if (_end == End.Completed || _usage is not null)
        {
            Finish(_usage, CallOutcome.Succeeded, null);
            return;
        }

        Finish(null, CallOutcome.Abandoned, null);
    }

    private static void Append(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length + bytes.Length, buffer.Length * 2));
            buffer.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            Dispatch(atEnd: false);
            return;
        }

        if (!line.StartsWith("data:"u8))
        {
            // event:, id:, retry: and comments carry nothing to meter (the JSON repeats the event type).
            return;
        }

        var value = line[5..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (_hasData)
        {
            Append(ref _data, ref _dataLength, "\n"u8);
        }

        Append(ref _data, ref _dataLength, value);
        _hasData = true;
    }

    private void Dispatch(bool atEnd)
    {
        if (!_hasData)
        {
            return;
        }

        var data = _data.AsSpan(0, _dataLength);
        _hasData = false;
        _dataLength = 0;
        if (data.SequenceEqual("[DONE]"u8))
        {
            _end = End.Completed;
            return;
        }

        WireEvent facts;
        TokenUsage? usage = null;
        try
        {
            facts = WireJson.Read(data, wantModel: _model is null);
            if (facts.HasUsage)
            {
                usage = _run.ParseUsage(data.Slice(facts.UsageStart, facts.UsageLength));
            }
        }
        catch (JsonException) when (atEnd)
        {
            // The stream broke off inside its last event: a truncated stream, not a garbage one.
            return;
        }
        catch (JsonException ex)
        {
            var reason = $"an event of its stream is not JSON ({ex.Message})";
            HttpLog.BadResponse(_run.Logger, _run.Call.Provider, _run.Attempt.Model, reason);
            Finish(_usage, CallOutcome.Failed, nameof(ProviderResponseException));
            throw Stop(new ProviderResponseException(
                $"The response of {_run.Call.Provider} to {_uri} cannot be metered: {reason}. The attempt is recorded as failed with the usage seen so far (estimated); check that the endpoint speaks the {_run.Call.Format} format.",
                _run.Call.Provider, _run.Attempt.Model, _uri, _status, ex));
        }

        _model ??= facts.Model;
        var output = Apply(in facts, usage);
        if (output)
        {
            _firstToken ??= _run.Time.GetElapsedTime(_run.Attempt.StartTimestamp);
            if (_run.CutOff is { } cutOff && cutOff.AddChunk())
            {
                CutOff(cutOff);
            }
        }
    }

    /// <summary>Applies one event; true when it carried new output.</summary>
    private bool Apply(in WireEvent facts, TokenUsage? usage)
    {
        switch (_run.Call.Format)
        {
            case WireFormat.OpenAIChat:
                _usage = usage ?? _usage;
                if (facts.HasError)
                {
                    _end = End.Failed;
                }

                return Output(facts.Output);

            case WireFormat.OpenAIResponses:
                switch (facts.Kind)
                {
                    case WireEventKind.ResponseDelta:
                        return Output(facts.Output);
                    case WireEventKind.ResponseCompleted or WireEventKind.ResponseIncomplete:
                        _usage = usage ?? _usage;
                        _end = End.Completed;
                        break;
                    case WireEventKind.ResponseFailed or WireEventKind.Error:
                        _usage = usage ?? _usage;
                        _end = End.Failed;
                        break;
                }

                return false;

            default:
                switch (facts.Kind)
                {
                    case WireEventKind.ContentBlockDelta:
                        return Output(facts.Output);
                    case WireEventKind.MessageStart:
                        _start = usage;
                        break;
                    case WireEventKind.MessageDelta when usage is { } delta:
                        _usage = _start is { } start ? Merge(start, delta) : delta;
                        break;
                    case WireEventKind.MessageStop:
                        _end = End.Completed;
                        break;
                    case WireEventKind.Error:
                        _end = End.Failed;
                        break;
                }

                return false;
        }
    }

    /// <summary>
    /// Merges message_start and a cumulative message_delta. The delta reports cache writes only as a total
    /// (<c>cache_creation_input_tokens</c>), which parses as five-minute writes; when the total matches the start's,
    /// the start's split between five-minute and one-hour writes is kept, so both events describe the same prompt.
    /// </summary>
    private static TokenUsage Merge(TokenUsage start, TokenUsage delta)
    {
        if (delta.InputTokens > 0 && delta.CacheWriteTokens + delta.CacheWrite1hTokens == start.CacheWriteTokens + start.CacheWrite1hTokens)
        {
            delta = delta with { CacheWriteTokens = start.CacheWriteTokens, CacheWrite1hTokens = start.CacheWrite1hTokens };
        }

        try
        {
            return AnthropicUsage.Merge(start, delta);
        }
        catch (InvalidUsageException)
        {
            // Counts that cannot be combined: the cumulative delta alone is the later, complete report.
            return delta.InputTokens > 0 ? delta : start with
            {
                OutputTokens = Math.Max(start.OutputTokens, delta.OutputTokens),
                ReasoningTokens = Math.Max(start.ReasoningTokens, delta.ReasoningTokens),
                WebSearches = Math.Max(start.WebSearches, delta.WebSearches),
            };
        }
    }

    private bool Output(in TextTally output)
    {
        if (output.IsEmpty)
        {
            return false;
        }

        _output.Add(output);
        return true;
    }

    private void CutOff(StreamCutOff cutOff)
    {
        var model = _model ?? _run.Attempt.Model;
        HttpLog.CutOff(_run.Logger, model, cutOff.Seen, cutOff.Cap);
        Finish(null, CallOutcome.Abandoned, CutOffError);
        throw Stop(new StreamCutOffException(model, cutOff.Seen, cutOff.Cap));
    }

    private Exception Stop(Exception exception)
    {
        Stopped = exception;
        return exception;
    }

    /// <summary>
    /// Ends the attempt once: with the usage the provider reported, or else an estimate from the output seen (none
    /// when a stream failed before any output: it cost nothing); the attempt caps an estimate at what was reserved.
    /// </summary>
    private void Finish(TokenUsage? reported, CallOutcome outcome, string? error)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        var estimate = reported is null ? _run.Estimate(outcome, _output, _start) : default;
        ReturnBuffers();
        _run.End(reported, estimate, _model, outcome, error, _firstToken);
    }

    private void ReturnBuffers()
    {
        ArrayPool<byte>.Shared.Return(_line);
        ArrayPool<byte>.Shared.Return(_data);
        _line = [];
        _data = [];
        _lineLength = 0;
        _dataLength = 0;
    }
}
