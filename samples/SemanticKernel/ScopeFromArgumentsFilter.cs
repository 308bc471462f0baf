using System.Runtime.CompilerServices;
using AiOrchestrator;
using Microsoft.SemanticKernel;

namespace SemanticKernelSample;

/// <summary>
/// Runs each kernel function inside the <see cref="AiScope"/> named by its arguments (<c>team</c>, <c>user</c>), so
/// every model call the function makes is metered and budgeted for that team and user. Levels the arguments leave
/// out come from the ambient scope, so a nested function keeps its caller's team.
/// </summary>
public sealed class ScopeFromArgumentsFilter : IFunctionInvocationFilter
{
    /// <summary>The argument that names the team.</summary>
    public const string TeamArgument = "team";

    /// <summary>The argument that names the user.</summary>
    public const string UserArgument = "user";

    /// <inheritdoc/>
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        var outer = AiScope.Current ?? new AiScope();
        var scope = outer with
        {
            Team = Read(context.Arguments, TeamArgument) ?? outer.Team,
            User = Read(context.Arguments, UserArgument) ?? outer.User,
            Feature = outer.Feature ?? context.Function.Name,
        };

        using (AiScope.Begin(scope))
        {
            await next(context);
        }

        // A streaming function only builds its stream inside the filter; the model is called when the caller reads
        // it, after this method has returned. Re-enter the scope around every read so the stream is metered too.
        if (context.IsStreaming && context.Result.GetValue<object>() is { } stream)
        {
            context.Result = new FunctionResult(context.Result, ScopedStream.Wrap(stream, scope));
        }
    }

    private static string? Read(KernelArguments arguments, string name)
        => arguments.TryGetValue(name, out var value) && value?.ToString() is { Length: > 0 } text ? text : null;

    private static class ScopedStream
    {
        private static readonly System.Reflection.MethodInfo WrapMethod =
            typeof(ScopedStream).GetMethod(nameof(WrapTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

        // The stream's item type depends on how the caller asked for it (StreamingKernelContent, string, ...).
        public static object Wrap(object stream, AiScope scope)
        {
            var itemType = stream.GetType().GetInterfaces()
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
                ?.GetGenericArguments()[0];
            return itemType is null ? stream : WrapMethod.MakeGenericMethod(itemType).Invoke(null, [stream, scope, CancellationToken.None])!;
        }

        private static async IAsyncEnumerable<T> WrapTyped<T>(IAsyncEnumerable<T> stream, AiScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var enumerator = stream.GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    using (AiScope.Begin(scope))
                    {
                        if (!await enumerator.MoveNextAsync())
                        {
                            break;
                        }
                    }

                    yield return enumerator.Current;
                }
            }
            finally
            {
                using (AiScope.Begin(scope))
                {
                    await enumerator.DisposeAsync();
                }
            }
        }
    }
}
