namespace AiOrchestrator.Pricing;

/// <summary>Why a model has no price.</summary>
public enum UnpricedReason
{
    /// <summary>The provider is not in the catalog (by id, alias or provider rule).</summary>
    UnknownProvider = 0,

    /// <summary>The provider is known, but neither its list nor the lists it declares as fallbacks have the model.</summary>
    UnknownModel = 1,

    /// <summary>The catalog lists the model, but without a price (at the moment of the call).</summary>
    ListedWithoutPrice = 2,
}
