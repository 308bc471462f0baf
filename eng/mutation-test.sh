#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the code whose arithmetic the budgets rely on:
#   ledger   - the ledger's state machine (src/AiOrchestrator/Budgets/LedgerState*.cs, WalletState.cs),
#              against the Budgets tests;
#   pricing  - price arithmetic and cost calculation (src/AiOrchestrator/Pricing/ModelPrice.cs, UnitPrice.cs,
#              CostCalculator.cs, src/AiOrchestrator/Usage/UsageUnits.cs), against the Pricing and Budgets tests;
#   usage    - every usage parser (src/AiOrchestrator/Usage/*Usage.cs, UsageDetailsExtensions.cs, UsageJson.cs),
#              against the Usage and provider wire tests.
# Usage: eng/mutation-test.sh [ledger|pricing|usage|all]   (default: all)
# It is slow (every mutant runs the tests): the mutate globs are narrow and it runs one test process at a time.
# Reports go to artifacts/mutation/<target>/ (git-ignored); the score goal is 90 % for each target.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/artifacts/tools"
version="${STRYKER_VERSION:-5.1.0}"
target="${1:-all}"

if [[ ! -x "$tools/dotnet-stryker" ]]; then
  dotnet tool install dotnet-stryker --version "$version" --tool-path "$tools"
fi

run() {
  local name="$1" filter="$2"
  shift 2
  local out="$root/artifacts/mutation/$name"
  mkdir -p "$out"
  local mutate=()
  for glob in "$@"; do
    mutate+=("\"$glob\"")
  done
  local IFS=,
  cat > "$out/stryker-config.json" <<EOF
{
  "stryker-config": {
    "project": "AiOrchestrator.csproj",
    "test-projects": ["$root/tests/AiOrchestrator.Tests/AiOrchestrator.Tests.csproj"],
    "configuration": "Release",
    "mutate": [${mutate[*]}],
    "test-case-filter": "$filter",
    "concurrency": 1,
    "reporters": ["html", "json", "progress", "cleartext"],
    "thresholds": { "high": 90, "low": 80, "break": 0 }
  }
}
EOF
  (cd "$root/tests/AiOrchestrator.Tests" && "$tools/dotnet-stryker" --config-file "$out/stryker-config.json" --output "$out")
}

if [[ "$target" == "ledger" || "$target" == "all" ]]; then
  # The crash, concurrency and property tests cover the same state code slowly (processes, threads, 100 scripts each):
  # left out, a run takes minutes instead of an hour.
  run ledger "FullyQualifiedName~Budgets&FullyQualifiedName!~CrashTests&FullyQualifiedName!~ConcurrencyTests&FullyQualifiedName!~LedgerPropertyTests&FullyQualifiedName!~BudgetChatClientTests" \
    "**/Budgets/LedgerState*.cs" "**/Budgets/WalletState.cs"
fi

if [[ "$target" == "pricing" || "$target" == "all" ]]; then
  run pricing "FullyQualifiedName~Pricing|FullyQualifiedName~Budgets.LedgerArithmeticTests" \
    "**/Pricing/ModelPrice.cs" "**/Pricing/UnitPrice.cs" "**/Pricing/CostCalculator.cs" "**/Usage/UsageUnits.cs"
fi

if [[ "$target" == "usage" || "$target" == "all" ]]; then
  run usage "FullyQualifiedName~Usage|FullyQualifiedName~Providers|FullyQualifiedName~ProviderCostEndToEnd" \
    "**/Usage/OpenAIUsage.cs" "**/Usage/AnthropicUsage.cs" "**/Usage/GeminiUsage.cs" "**/Usage/BedrockUsage.cs" \
    "**/Usage/CohereUsage.cs" "**/Usage/UsageDetailsExtensions.cs" "**/Usage/UsageJson.cs"
fi
