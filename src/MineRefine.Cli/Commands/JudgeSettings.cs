using System.ComponentModel;
using MineRefine.Data;
using MineRefine.Data.Import;
using MineRefine.Labeling;
using MineRefine.Labeling.CrossEncoder;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of commands that need a relevance judge (<c>audit</c>, <c>synth</c>).</summary>
public class JudgeSettings : DataSettings
{
    /// <summary>Judge spec.</summary>
    [CommandOption("--judge <JUDGE>")]
    [Description("Judge: labeler:<dir> (cross-encoder folder), llm (OpenAI-compatible API, see --llm-*), " +
                 "file:<judgments.jsonl|.csv|.parquet> (grades from a file, e.g. the sample's truth.jsonl or reviewed labels; an unlisted pair is an error), " +
                 "complete:<judgments.jsonl> (a complete file such as the sample's truth-complete.jsonl: unlisted pairs are grade 0).")]
    public string? Judge { get; set; }

    /// <summary>LLM base URL.</summary>
    [CommandOption("--llm-base-url <URL>")]
    [Description("OpenAI-compatible base URL (requests go to {url}/chat/completions).")]
    [DefaultValue("https://api.openai.com/v1")]
    public string LlmBaseUrl { get; set; } = "https://api.openai.com/v1";

    /// <summary>LLM model.</summary>
    [CommandOption("--llm-model <MODEL>")]
    [Description("LLM model name.")]
    [DefaultValue("gpt-4o-mini")]
    public string LlmModel { get; set; } = "gpt-4o-mini";

    /// <summary>LLM key variable.</summary>
    [CommandOption("--llm-key-env <VAR>")]
    [Description("Name of the environment variable holding the API key.")]
    [DefaultValue("OPENAI_API_KEY")]
    public string LlmKeyEnv { get; set; } = "OPENAI_API_KEY";

    /// <summary>LLM cache.</summary>
    [CommandOption("--llm-cache <FILE>")]
    [Description("Persistent cache of LLM answers (default <out>/llm-cache.jsonl): a pair is never paid for twice.")]
    public string? LlmCache { get; set; }

    /// <summary>Persistent probability cache for a cross-encoder judge (<c>labeler:DIR</c>); null = memory only.</summary>
    protected virtual string? CrossEncoderCachePath => null;

    /// <summary>Whether a judge is required by this command invocation.</summary>
    protected virtual bool RequiresJudge => true;

    /// <summary>Opens the judge named by <paramref name="spec"/> (default <see cref="Judge"/>).</summary>
    public ILabeler OpenJudge(string? spec = null)
    {
        spec ??= Judge ?? throw new ArgumentException("--judge is required.");
        if (spec.StartsWith("labeler:", StringComparison.Ordinal))
            return CrossEncoderLabeler.FromFolder(spec["labeler:".Length..], new CrossEncoderLabelerOptions { CachePath = CrossEncoderCachePath });
        if (spec.StartsWith("file:", StringComparison.Ordinal))
        {
            string path = spec["file:".Length..];
            return new JudgmentFileLabeler(DatasetLoader.ReadJudgments(path), "file:" + Path.GetFileName(path));
        }
        if (spec.StartsWith("complete:", StringComparison.Ordinal))
        {
            string path = spec["complete:".Length..];
            return new JudgmentFileLabeler(DatasetLoader.ReadJudgments(path), "complete:" + Path.GetFileName(path), unlistedGrade: Grades.Irrelevant);
        }
        if (spec == "llm")
            return new OpenAiCompatibleLabeler(new LlmLabelerOptions
            {
                BaseUrl = LlmBaseUrl, Model = LlmModel, ApiKeyEnvironmentVariable = LlmKeyEnv,
                CachePath = LlmCache ?? Path.Combine(Out!, "llm-cache.jsonl"),
            });
        throw new ArgumentException($"Unknown --judge '{spec}'. Use labeler:<dir>, llm, file:<judgments.jsonl> or complete:<judgments.jsonl>.");
    }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        if (!RequiresJudge) return ValidationResult.Success();
        if (Judge is null) return ValidationResult.Error("--judge is required: labeler:<dir>, llm, file:<judgments.jsonl> or complete:<judgments.jsonl>.");
        return ValidateJudgeSpec();
    }

    /// <summary>Checks the <see cref="Judge"/> spec (when one is given): a known kind and an existing folder/file.</summary>
    protected ValidationResult ValidateJudgeSpec()
    {
        if (Judge is null) return ValidationResult.Success();
        if (Judge.StartsWith("labeler:", StringComparison.Ordinal) && !Directory.Exists(Judge[8..]))
            return ValidationResult.Error($"--judge: labeler folder '{Judge[8..]}' does not exist.");
        if (Judge.StartsWith("file:", StringComparison.Ordinal) && !File.Exists(Judge[5..]))
            return ValidationResult.Error($"--judge: file '{Judge[5..]}' does not exist.");
        if (Judge.StartsWith("complete:", StringComparison.Ordinal) && !File.Exists(Judge[9..]))
            return ValidationResult.Error($"--judge: file '{Judge[9..]}' does not exist.");
        if (!(Judge == "llm" || Judge.StartsWith("labeler:", StringComparison.Ordinal) || Judge.StartsWith("file:", StringComparison.Ordinal)
              || Judge.StartsWith("complete:", StringComparison.Ordinal)))
            return ValidationResult.Error($"Unknown --judge '{Judge}'. Use labeler:<dir>, llm, file:<judgments.jsonl> or complete:<judgments.jsonl>.");
        return ValidationResult.Success();
    }
}
