using AiOrchestrator;
using AiOrchestrator.Safety;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DocSnippets;

#pragma warning disable AIOEXP001 // the safety engine is part of the experimental pipeline surface

public static class SafetySnippets
{
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        #region safety-register
        services.AddSafety(configuration, o =>
        {
            o.Secrets = SafetyAction.Block;                      // refuse calls that carry credentials
            o.Actions["IP_ADDRESS"] = SafetyAction.Log;          // let addresses through, log their count
            o.Detection.AllowList.Add("support@example.com");    // the company's public address is never redacted
            o.Detection.DenyList.Add("Project Falcon");          // a code name is always redacted
            o.ScopeRules.Add(new SafetyScopeRule { Organization = "acme", Team = "finance", PersonalData = SafetyAction.Block });
        });
        #endregion
    }

    public static async Task<string> CheckOneCall(SafetyGuard guard, string userText, IChatClient model)
    {
        #region safety-guard
        var scope = new AiScope { Organization = "acme", Team = "support" };

        // Input: every text of the call at once. Throws SafetyPolicyViolationException when the policy blocks.
        var input = await guard.CheckInputAsync(
            [new SafetyText("You answer billing questions.", SafetyTextKind.System), new SafetyText(userText, SafetyTextKind.User)],
            scope);

        // input.Texts go to the model: "My card is [CREDIT_CARD_1]..."; input.Decision lists types, counts and actions.
        var response = await model.GetResponseAsync(
            [new ChatMessage(ChatRole.System, input.Texts[0]), new ChatMessage(ChatRole.User, input.Texts[1])]);

        // Output: filters what the answer itself contains, then puts the call's values back.
        var output = guard.CheckOutput(response.Text, input.Session, scope);
        return output.Text;
        #endregion
    }

    public static async IAsyncEnumerable<string> Stream(SafetyGuard guard, SafetyInputResult input, AiScope scope, IChatClient model, IList<ChatMessage> messages)
    {
        #region safety-streaming
        // The same output policy as CheckOutput, chunk by chunk, and the call's values put back.
        var restorer = guard.CreateStreamingOutput(input.Session, scope);
        await foreach (var update in model.GetStreamingResponseAsync(messages))
        {
            // Holds back a short window (StreamingHoldBack, 64 characters) and the word it starts in, so a value split
            // across chunks is found whole; throws SafetyPolicyViolationException when the policy blocks a value.
            yield return restorer.Append(update.Text);
        }

        // The rest, and the answer's output decision (counted, logged and audited once).
        yield return restorer.Flush();
        #endregion
    }

    public static void Extend(IServiceCollection services, IChatClient judgeModel)
    {
        #region safety-extend
        // Your own detector (any ISensitiveDataDetector in DI is used by the scanner) ...
        services.AddSingleton<ISensitiveDataDetector, EmployeeIdDetector>();

        // ... and an LLM judge next to the heuristic (the highest score counts). Give it a cheap model.
        services.AddSingleton<IPromptInjectionDetector>(HeuristicPromptInjectionDetector.Instance);
        services.AddSingleton<IPromptInjectionDetector>(new ChatClientPromptInjectionDetector(judgeModel));
        services.AddSafety(configure: o => o.CustomTypes.Add("EMPLOYEE_ID"));
        #endregion
    }

    #region safety-detector
    public sealed class EmployeeIdDetector : ISensitiveDataDetector
    {
        private static readonly SensitiveDataType EmployeeId = new("EMPLOYEE_ID");

        public string Name => "employee-id";

        // Cheap: runs on every text; Detect runs only when this says yes.
        public bool MayContain(ReadOnlySpan<char> text) => text.Contains("EMP-", StringComparison.Ordinal);

        public void Detect(ReadOnlySpan<char> text, ICollection<SensitiveDataFinding> findings)
        {
            for (var at = text.IndexOf("EMP-", StringComparison.Ordinal); at >= 0 && at + 10 <= text.Length;)
            {
                if (int.TryParse(text.Slice(at + 4, 6), out _))
                {
                    findings.Add(new SensitiveDataFinding(at, 10, EmployeeId, 0.9, Name));
                }

                var next = text[(at + 4)..].IndexOf("EMP-", StringComparison.Ordinal);
                at = next < 0 ? -1 : at + 4 + next;
            }
        }
    }
    #endregion
}
