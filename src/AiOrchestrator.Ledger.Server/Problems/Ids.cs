using AiOrchestrator.Budgets;

namespace AiOrchestrator.Ledger.Server.Problems;

/// <summary>Checks the ids and names a request carries, with a detail that says what is wrong.</summary>
internal static class Ids
{
    /// <summary>An organisation id: letters, digits, '.', '_', '-'; 1 to 64; starting with a letter or digit.</summary>
    public static bool IsOrganisation(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || !char.IsAsciiLetterOrDigit(id[0]))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static string Organisation(string? id)
        => IsOrganisation(id) ? id! : throw LedgerProblem.Invalid(
            $"'{Amounts.Clip(id ?? "")}' is not an organisation id: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");

    /// <summary>A text field: required or not, at most <paramref name="max"/> characters, no control characters.</summary>
    public static string? Text(string? value, string field, int max, bool required)
    {
        if (value is null || value.Length == 0)
        {
            return required ? throw LedgerProblem.Invalid($"'{field}' is required.") : null;
        }

        if (value.Length > max)
        {
            throw LedgerProblem.Invalid($"'{field}' is longer than {max} characters.");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                throw LedgerProblem.Invalid($"'{field}' contains a control character or an unpaired surrogate.");
            }
        }

        return value;
    }

    public static string Required(string? value, string field, int max) => Text(value, field, max, required: true)!;

    /// <summary>A wallet id of <paramref name="organisation"/>.</summary>
    public static string Wallet(string? id, string organisation, string field = "wallet")
    {
        if (id is null || Text(id, field, 256, required: true) is null || !WalletId.TryParse(id, out _))
        {
            throw LedgerProblem.Invalid(
                $"'{Amounts.Clip(id ?? "")}' in '{field}' is not a wallet id: use 'org:<org>', 'team:<org>/<team>', 'user:<org>/<team>/<user>' or 'app:<org>/<app>'.");
        }

        if (OrganisationOf(id) != organisation)
        {
            throw LedgerProblem.Invalid($"Wallet '{id}' in '{field}' does not belong to organisation '{organisation}'.");
        }

        return id;
    }

    /// <summary>1 to 8 distinct wallet ids of the organisation.</summary>
    public static string[] Wallets(IReadOnlyList<string>? ids, string organisation, string field = "wallets")
    {
        if (ids is null || ids.Count == 0)
        {
            throw LedgerProblem.Invalid($"'{field}' must list at least one wallet.");
        }

        if (ids.Count > 8)
        {
            throw LedgerProblem.Invalid($"'{field}' lists {ids.Count} wallets; at most 8 (a scope path) are allowed.");
        }

        var result = new string[ids.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Wallet(ids[i], organisation, field);
            for (var j = 0; j < i; j++)
            {
                if (result[j] == result[i])
                {
                    throw LedgerProblem.Invalid($"'{field}' lists wallet '{result[i]}' twice.");
                }
            }
        }

        return result;
    }

    public static string Currency(string? code, string field = "currency")
        => code is { Length: 3 } && char.IsAsciiLetterUpper(code[0]) && char.IsAsciiLetterUpper(code[1]) && char.IsAsciiLetterUpper(code[2])
            ? code
            : throw LedgerProblem.Invalid($"'{field}' must be a three-letter upper-case ISO 4217 code such as \"USD\".");

    public static int Ttl(int? seconds, int fallback, string field = "ttlSeconds")
    {
        var value = seconds ?? fallback;
        return value is >= 1 and <= 86_400 ? value : throw LedgerProblem.Invalid($"'{field}' must be between 1 and 86400 seconds.");
    }

    /// <summary>The organisation named in a wallet id (its first name, unescaped).</summary>
    public static string OrganisationOf(string walletId)
    {
        var colon = walletId.IndexOf(':', StringComparison.Ordinal);
        var rest = walletId.AsSpan(colon + 1);
        var slash = rest.IndexOf('/');
        var org = (slash < 0 ? rest : rest[..slash]).ToString();
        return org.Contains('%', StringComparison.Ordinal) ? org.Replace("%2F", "/", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal) : org;
    }

    /// <summary>The wallet directly above <paramref name="walletId"/> on the scope path, or null for an organisation.</summary>
    public static string? Parent(string walletId)
    {
        var colon = walletId.IndexOf(':', StringComparison.Ordinal);
        var level = walletId[..colon];
        var names = walletId[(colon + 1)..];
        var last = names.LastIndexOf('/');
        return level switch
        {
            "user" => "team:" + names[..last],
            "team" or "app" => "org:" + names[..last],
            _ => null,
        };
    }
}
