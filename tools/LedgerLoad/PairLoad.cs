using System.Diagnostics;
using AiOrchestrator.Ledger;

namespace LedgerLoad;

/// <summary>
/// The hot path over HTTP: <c>clients</c> concurrent callers each reserve and then commit, again and again, against
/// one organisation's budget. Every caller starts on one gate (awaited, so no thread blocks); a warm-up runs before the measured window.
/// </summary>
internal sealed class PairLoad(LedgerApi api, LoadTarget target, int clients)
{
    private readonly LatencyHistogram _pairs = new();
    private readonly LatencyHistogram _calls = new();
    private readonly Dictionary<string, int> _errors = [];
    private volatile bool _recording;
    private long _completed;

    public async Task<PairLoadResult> RunAsync(TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = new Task[clients];
        for (var i = 0; i < clients; i++)
        {
            var wallets = target.WalletsOf(i);
            callers[i] = Task.Run(() => CallerAsync(wallets, gate.Task, stop.Token), CancellationToken.None);
        }

        gate.SetResult();

        await Task.Delay(warmup, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _completed, 0);
        _recording = true;
        await Task.Delay(duration, cancellationToken).ConfigureAwait(false);
        _recording = false;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var completed = Interlocked.Read(ref _completed);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(callers).ConfigureAwait(false);
        Dictionary<string, int> errors;
        lock (_errors)
        {
            errors = new Dictionary<string, int>(_errors);
        }

        return new PairLoadResult(clients, completed, elapsed, completed / elapsed.TotalSeconds, _pairs, _calls, errors);
    }

    private async Task CallerAsync(IReadOnlyList<string> wallets, Task gate, CancellationToken cancellationToken)
    {
        await gate.ConfigureAwait(false);
        var reserve = new ReservationRequest(wallets, "0.01", target.Currency, 300, null);
        var commit = new CommitRequest("0.006");
        while (!cancellationToken.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                var reservation = await api.ReserveAsync(target.Organisation, reserve, cancellationToken).ConfigureAwait(false);
                var reserved = Stopwatch.GetTimestamp();
                await api.CommitAsync(target.Organisation, reservation.Id, commit, cancellationToken).ConfigureAwait(false);
                var end = Stopwatch.GetTimestamp();
                if (_recording)
                {
                    _pairs.Record(Stopwatch.GetElapsedTime(start, end));
                    _calls.Record(Stopwatch.GetElapsedTime(start, reserved));
                    _calls.Record(Stopwatch.GetElapsedTime(reserved, end));
                    Interlocked.Increment(ref _completed);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (LedgerCallException e)
            {
                Count(((int)e.Status).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + e.Status);
            }
            catch (HttpRequestException e)
            {
                Count(e.HttpRequestError.ToString());
                await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private void Count(string error)
    {
        if (!_recording)
        {
            return;
        }

        lock (_errors)
        {
            _errors[error] = _errors.GetValueOrDefault(error) + 1;
        }
    }
}

/// <summary>What a pair run measured.</summary>
internal sealed record PairLoadResult(
    int Clients, long Pairs, TimeSpan Elapsed, double PairsPerSecond, LatencyHistogram PairLatency, LatencyHistogram CallLatency, IReadOnlyDictionary<string, int> Errors)
{
    public int ErrorCount => Errors.Values.Sum();

    public static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    public override string ToString() =>
        $"pairs: {Pairs} in {Elapsed.TotalSeconds:0.0} s = {PairsPerSecond:0} pairs/s with {Clients} clients; " +
        $"pair latency p50 {Ms(PairLatency.Percentile(0.50))} ms, p95 {Ms(PairLatency.Percentile(0.95))} ms, p99 {Ms(PairLatency.Percentile(0.99))} ms, max {Ms(PairLatency.Max)} ms; " +
        $"per call p50 {Ms(CallLatency.Percentile(0.50))} ms, p99 {Ms(CallLatency.Percentile(0.99))} ms; " +
        $"errors: {ErrorCount}" + (Errors.Count == 0 ? string.Empty : " (" + string.Join(", ", Errors.Select(e => e.Key + " ×" + e.Value)) + ")");
}
