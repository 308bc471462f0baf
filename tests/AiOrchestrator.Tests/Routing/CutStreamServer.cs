using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiOrchestrator.Tests.Routing;

/// <summary>
/// A loopback HTTP server that starts a chunked server-sent event stream, sends the given events, then drops the
/// connection without ending the stream: a provider dying mid-answer. WireMock cannot cut a body short, hence this.
/// </summary>
internal sealed class CutStreamServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _events;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public CutStreamServer(string events)
    {
        _events = events;
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests { get; private set; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Stopping the listener ends the accept loop with an error.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var socket = await _listener.AcceptSocketAsync(_stop.Token);
            Requests++;
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await ReadHeadersAndBodyAsync(stream);
            var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            var body = Encoding.UTF8.GetBytes(_events);
            var chunk = Encoding.ASCII.GetBytes($"{body.Length:X}\r\n").Concat(body).Concat("\r\n"u8.ToArray()).ToArray();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(chunk);
            await stream.FlushAsync();

            // Give the client time to read the first event, then reset the connection mid-body (no final 0-length chunk).
            await Task.Delay(200);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
    }

    private static async Task ReadHeadersAndBodyAsync(NetworkStream stream)
    {
        var buffer = new byte[64 * 1024];
        var received = new StringBuilder();
        while (true)
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0)
            {
                return;
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            var text = received.ToString();
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= length)
            {
                return;
            }
        }
    }
}
