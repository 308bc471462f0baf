using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AiOrchestrator;

/// <summary>
/// Binds our options sections strictly: a missing section, an unknown key or a value the binder cannot convert fails
/// the options (at start with <c>ValidateOnStart</c>, else on first resolution) with an
/// <see cref="OptionsValidationException"/> that names the configuration path and the fix. Every registration that
/// takes an <see cref="IConfiguration"/> binds through here, in every package.
/// </summary>
[System.Diagnostics.CodeAnalysis.Experimental(AiOrchestrator.Pipeline.AiCall.ExperimentalDiagnosticId)]
public static class StrictBinding
{
    /// <summary>
    /// Binds <typeparamref name="T"/> (of this builder's name) from the <paramref name="sectionPath"/> section of
    /// <paramref name="configuration"/>, checked first by <see cref="ConfigurationCheck"/>.
    /// </summary>
    /// <param name="builder">The options builder.</param>
    /// <param name="configuration">The configuration the caller passed.</param>
    /// <param name="sectionPath">The section expected, such as <c>AiOrchestrator:Budgets</c>.</param>
    /// <param name="registration">The call that bound it, for messages, such as <c>services.AddBudgetLedger(configuration)</c>.</param>
    /// <param name="subsections">
    /// Children of the section that other registrations bind, with the call that does: skipped here, and reported when
    /// present but bound by nobody.
    /// </param>
    public static OptionsBuilder<T> BindStrictly<T>(this OptionsBuilder<T> builder, IConfiguration configuration, string sectionPath, string registration, IReadOnlyDictionary<string, string>? subsections = null)
        where T : class
    {
        var name = builder.Name;
        builder.Services.AddSingleton<IOptionsChangeTokenSource<T>>(new ConfigurationChangeTokenSource<T>(name, configuration));
        builder.Services.AddSingleton<IConfigureOptions<T>>(services => new StrictConfigureOptions<T>(name, configuration, sectionPath, registration, subsections, services));
        builder.Services.AddSingleton(new ConfigurationClaim(configuration, sectionPath));
        return builder;
    }

    /// <summary>A section some registration binds, so that its parent does not report it as unread.</summary>
    internal sealed class ConfigurationClaim(IConfiguration configuration, string sectionPath)
    {
        public string? ResolvePath() => (SectionLookup.Find(configuration, sectionPath, string.Empty, []) as IConfigurationSection)?.Path;
    }

    private sealed class StrictConfigureOptions<T>(
        string name,
        IConfiguration configuration,
        string sectionPath,
        string registration,
        IReadOnlyDictionary<string, string>? subsections,
        IServiceProvider services) : IConfigureNamedOptions<T>
        where T : class
    {
        public void Configure(T options) => Configure(Options.DefaultName, options);

        public void Configure(string? optionsName, T options)
        {
            if (!string.Equals(optionsName ?? Options.DefaultName, name, StringComparison.Ordinal))
            {
                return;
            }

            var failures = new List<string>();
            var section = SectionLookup.Find(configuration, sectionPath, registration, failures);
            HashSet<string>? skip = null;
            if (section is not null)
            {
                if (subsections is not null)
                {
                    skip = new HashSet<string>(subsections.Keys, StringComparer.OrdinalIgnoreCase);
                    CheckSubsectionsAreRead(section, failures);
                }

                ConfigurationCheck.Check(section, typeof(T), failures, skip);
            }

            if (failures.Count > 0)
            {
                throw new OptionsValidationException(name, typeof(T), failures);
            }

            // Checked above, so the binder's own strictness is a backstop that should never fire.
            IConfiguration source = skip is null ? section! : new ConfigurationView(section!, skip);
            source.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }

        private void CheckSubsectionsAreRead(IConfiguration section, List<string> failures)
        {
            List<string>? claimed = null;
            foreach (var child in section.GetChildren())
            {
                if (!subsections!.TryGetValue(child.Key, out var registrationOfChild))
                {
                    continue;
                }

                claimed ??= services.GetServices<ConfigurationClaim>().Select(c => c.ResolvePath()).OfType<string>().ToList();
                var read = claimed.Exists(path => path.StartsWith(child.Path, StringComparison.OrdinalIgnoreCase)
                    && (path.Length == child.Path.Length || path[child.Path.Length] == ':'));
                if (!read)
                {
                    failures.Add($"{child.Path} is set, but nothing reads it, so it would have no effect. Call {registrationOfChild}, or remove the section.");
                }
            }
        }
    }

    /// <summary>A section without the children that other registrations bind, for the binder's unknown-key check.</summary>
    private sealed class ConfigurationView(IConfiguration inner, ISet<string> hidden) : IConfigurationSection
    {
        public string? this[string key]
        {
            get => inner[key];
            set => inner[key] = value;
        }

        public string Key => (inner as IConfigurationSection)?.Key ?? string.Empty;

        public string Path => (inner as IConfigurationSection)?.Path ?? string.Empty;

        public string? Value
        {
            get => (inner as IConfigurationSection)?.Value;
            set => throw new NotSupportedException();
        }

        public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Where(c => !hidden.Contains(c.Key));

        public IChangeToken GetReloadToken() => inner.GetReloadToken();

        public IConfigurationSection GetSection(string key) => inner.GetSection(key);
    }
}
