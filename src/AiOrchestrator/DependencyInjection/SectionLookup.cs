using Microsoft.Extensions.Configuration;

namespace AiOrchestrator;

/// <summary>
/// Finds the section a registration binds in the configuration it was given, and says precisely what is missing when
/// it is not there (a configured host whose section is misspelt must not start on defaults).
/// </summary>
internal static class SectionLookup
{
    /// <summary>
    /// The section at <paramref name="sectionPath"/> (such as <c>AiOrchestrator:Budgets</c>) in
    /// <paramref name="configuration"/>; or, when <paramref name="configuration"/> is itself a section, the part of the
    /// path below it, or that section itself. Null, with a failure naming the section expected, when there is none.
    /// </summary>
    public static IConfiguration? Find(IConfiguration configuration, string sectionPath, string registration, List<string> failures)
    {
        var segments = sectionPath.Split(':');
        if (Descend(configuration, segments) is { } found)
        {
            return found;
        }

        if (configuration is IConfigurationSection given)
        {
            // Given a section: "AiOrchestrator" for "AiOrchestrator:Budgets" holds the rest of the path...
            for (var i = 0; i < segments.Length - 1; i++)
            {
                if (string.Equals(given.Key, segments[i], StringComparison.OrdinalIgnoreCase) && Descend(given, segments.AsSpan(i + 1)) is { } below)
                {
                    return below;
                }
            }

            // ...and any other section given is the one to bind.
            if (IsDeclared(given))
            {
                return given;
            }

            failures.Add($"{registration} was given the configuration section '{given.Path}', which does not exist. "
                + $"Add it (an empty object is enough to use the defaults), pass the section that holds the settings, or call {Unconfigured(registration)} without configuration to set the options in code.");
            return null;
        }

        failures.Add(Missing(configuration, segments, sectionPath, registration));
        return null;
    }

    private static string Missing(IConfiguration configuration, string[] segments, string sectionPath, string registration)
    {
        var level = configuration;
        var walked = string.Empty;
        foreach (var segment in segments)
        {
            var children = level.GetChildren().Select(c => c.Key).ToList();
            var match = children.FirstOrDefault(k => string.Equals(k, segment, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                var where = walked.Length == 0 ? "top-level key" : $"key under {walked}";
                var hint = ConfigurationCheck.Closest(segment, children) is { } near
                    ? $" The {where} '{near}' looks like a misspelling of '{segment}': rename it."
                    : string.Empty;
                return $"{registration} found no '{sectionPath}' section in the configuration it was given, so none of its settings would apply.{hint} "
                    + $"Add the section (an empty object is enough to use the defaults), or call {Unconfigured(registration)} without configuration to set the options in code.";
            }

            walked = walked.Length == 0 ? match : $"{walked}:{match}";
            level = level.GetSection(match);
        }

        // Unreachable: Descend found nothing, so some segment is missing.
        return $"{registration} found no '{sectionPath}' section in the configuration it was given.";
    }

    private static string Unconfigured(string registration)
    {
        var paren = registration.IndexOf('(', StringComparison.Ordinal);
        return paren < 0 ? registration : registration[..paren] + "()";
    }

    /// <summary>The section at <paramref name="segments"/> below <paramref name="configuration"/>, when every segment is declared.</summary>
    private static IConfigurationSection? Descend(IConfiguration configuration, ReadOnlySpan<string> segments)
    {
        IConfigurationSection? section = null;
        var level = configuration;
        foreach (var segment in segments)
        {
            // A key declared with an empty object ("Budgets": {}) has no value and no children, so Exists() is false;
            // it is listed among its parent's children all the same.
            section = level.GetChildren().FirstOrDefault(c => string.Equals(c.Key, segment, StringComparison.OrdinalIgnoreCase));
            if (section is null)
            {
                return null;
            }

            level = section;
        }

        return section;
    }

    private static bool IsDeclared(IConfigurationSection section) => section.Value is not null || section.GetChildren().Any();
}
