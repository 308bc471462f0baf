namespace PriceCatalogGenerator;

/// <summary>The input cannot become a catalog; <see cref="Errors"/> names each problem with its provider, model and key.</summary>
internal sealed class CatalogValidationException(IReadOnlyList<string> errors)
    : Exception(errors.Count == 1 ? errors[0] : $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
