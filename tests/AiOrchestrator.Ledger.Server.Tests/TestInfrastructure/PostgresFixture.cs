namespace AiOrchestrator.Ledger.Server.Tests.TestInfrastructure;

/// <summary>
/// One real PostgreSQL server for every test class in the <see cref="PostgresTestClasses"/>; each class makes its own
/// database with <see cref="CreateDatabaseAsync"/>. The classes of the collection run one after another, which suits
/// a small machine and keeps one server's start-up cost for all of them.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    internal PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    /// <summary>Creates an empty database for one test class (or one test) and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) => Server.CreateDatabaseAsync(prefix);

    /// <inheritdoc/>
    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The test classes that share one <see cref="PostgresFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresTestClasses : ICollectionFixture<PostgresFixture>
{
    /// <summary>The collection's name, for <c>[Collection(PostgresTestClasses.Name)]</c>.</summary>
    public const string Name = "PostgreSQL";
}
