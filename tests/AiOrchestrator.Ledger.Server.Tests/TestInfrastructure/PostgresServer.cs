using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AiOrchestrator.Ledger.Server.Tests.TestInfrastructure;

/// <summary>
/// A real, throw-away PostgreSQL server: <c>initdb</c> in a fresh temp directory, <c>pg_ctl start</c> on a free
/// loopback port with its socket in that directory, trust authentication for the <c>postgres</c> user, and on
/// dispose <c>pg_ctl stop -m immediate</c> and the directory deleted. <c>eng/install-postgres.sh</c> installs the
/// Debian package when it is missing. The load generator links this file to start the same kind of server.
/// </summary>
/// <remarks>
/// initdb refuses to run as root, so as root the directory is given to the <c>postgres</c> user and the binaries run
/// through <c>runuser</c>. A directory left behind by a test process that died (kill -9) is stopped and deleted by the
/// next start, so crashed runs do not pile up servers.
/// </remarks>
internal sealed class PostgresServer : IAsyncDisposable
{
    private const string DirectoryPrefix = "aio-pg-";
    private const string OwnerFile = "owner.pid";
    private readonly string _bin;
    private readonly string _root;
    private readonly bool _durable;
    private int _databases;

    private PostgresServer(string bin, string root, int port, bool durable)
    {
        _bin = bin;
        _root = root;
        _durable = durable;
        Port = port;
    }

    /// <summary>The loopback TCP port it listens on.</summary>
    public int Port { get; private set; }

    /// <summary>True while the server runs (false between <see cref="StopAsync"/> and <see cref="StartAgainAsync"/>).</summary>
    public bool IsRunning { get; private set; }

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "sock");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>
    /// Starts a server. <paramref name="durable"/> false (tests) turns off fsync and synchronous commit, which loses
    /// nothing a test needs since the server never outlives the test; true (measurements) keeps PostgreSQL's defaults.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(bool durable = false, CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        await RemoveAbandonedServersAsync(bin);
        var root = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        var server = new PostgresServer(bin, root, 0, durable);
        try
        {
            Directory.CreateDirectory(server.DataDirectory);
            Directory.CreateDirectory(server.SocketDirectory);
            GiveToPostgresUser(root);
            await server.RunAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], cancellationToken);
            await server.StartOnFreePortAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the <c>postgres</c> superuser over loopback TCP.</summary>
    public string ConnectionString(string database, int maxPoolSize = 100) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        MaxPoolSize = maxPoolSize,
        Timeout = 15,
    }.ConnectionString;

    /// <summary>Creates a new, empty database named after <paramref name="prefix"/> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = SafeName(prefix) + "_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CREATE DATABASE \"" + name + "\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (as a crash: <c>-m immediate</c>), keeping its data for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            IsRunning = false;
            await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], cancellationToken);
        }
    }

    /// <summary>Starts the stopped server again on the same port and data.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            await StartOnPortAsync(Port, cancellationToken);
        }
    }

    /// <summary>Stops the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                IsRunning = false;
                await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }
        }
        finally
        {
            TryDelete(_root);
        }
    }

    private async Task StartOnFreePortAsync(CancellationToken cancellationToken)
    {
        // Another process may take the port between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnPortAsync(FreePort(), cancellationToken);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private async Task StartOnPortAsync(int port, CancellationToken cancellationToken)
    {
        var settings = string.Join(' ', new[]
        {
            "-p " + port.ToString(CultureInfo.InvariantCulture),
            "-k " + SocketDirectory,
            "-c listen_addresses=127.0.0.1",
            "-c max_connections=400",
            _durable ? string.Empty : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        }.Where(s => s.Length > 0));
        await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", settings, "-w", "-t", "60", "start"], cancellationToken);
        Port = port;
        IsRunning = true;
    }

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunToolAsync(_bin, tool, arguments, cancellationToken);
        if (exitCode != 0)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, cancellationToken) : string.Empty;
            throw new InvalidOperationException(
                $"PostgreSQL {tool} failed with exit code {exitCode} in {_root}: {output}{Environment.NewLine}{log}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string bin, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(bin, tool);
        ProcessStartInfo start;
        if (Environment.UserName == "root")
        {
            start = new ProcessStartInfo("runuser");
            foreach (var argument in new[] { "-u", "postgres", "--", executable })
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start = new ProcessStartInfo(executable);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // The server's working directory must be readable by the postgres user.
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + executable);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static string FindBinDirectory()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(version => Path.Combine(version, "bin"))
                .Where(path => File.Exists(Path.Combine(path, "pg_ctl")) && File.Exists(Path.Combine(path, "initdb")))
                .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(path)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl). Run eng/install-postgres.sh (./test.sh does), then run the tests again.");
    }

    private static void GiveToPostgresUser(string root)
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        using var chown = Process.Start(new ProcessStartInfo("chown") { ArgumentList = { "-R", "postgres:postgres", root }, UseShellExecute = false })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException("Could not give " + root + " to the postgres user (chown failed); is there a postgres user? The Debian package creates it.");
        }
    }

    private static async Task RemoveAbandonedServersAsync(string bin)
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var owner = Path.Combine(directory, OwnerFile);
            if (!File.Exists(owner)
                || !int.TryParse(File.ReadAllText(owner).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            {
                continue;
            }

            var data = Path.Combine(directory, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                await RunToolAsync(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }

            TryDelete(directory);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string SafeName(string prefix)
    {
        var name = new string(prefix.ToLowerInvariant().Where(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_').ToArray());
        return name.Length == 0 ? "test" : name[..Math.Min(name.Length, 40)];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
