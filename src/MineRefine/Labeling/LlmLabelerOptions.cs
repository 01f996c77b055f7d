namespace MineRefine.Labeling;

/// <summary>A few-shot example shown to the LLM judge.</summary>
/// <param name="Query">Query text.</param>
/// <param name="Item">Item text.</param>
/// <param name="Grade">The correct grade (0, 1 or 2).</param>
/// <param name="Why">One-line justification shown with the example (optional).</param>
public sealed record FewShotExample(string Query, string Item, int Grade, string? Why = null);

/// <summary>Options of <see cref="OpenAiCompatibleLabeler"/>: an OpenAI-compatible chat-completions endpoint used
/// as a relevance judge (paper §2). Call <see cref="Validate"/> (the labeler does) before use.</summary>
public sealed class LlmLabelerOptions
{
    /// <summary>API base URL; requests go to <c>{BaseUrl}/chat/completions</c>. Default https://api.openai.com/v1.</summary>
    public string BaseUrl { get; set; } = "https://api.openai.com/v1";
    /// <summary>Model name sent in the request and part of the cache key. Default gpt-4o-mini (paper §2).</summary>
    public string Model { get; set; } = "gpt-4o-mini";
    /// <summary>NAME of the environment variable that holds the API key (the key itself is never an option).
    /// Default OPENAI_API_KEY. When the variable is unset or empty no Authorization header is sent (local servers).</summary>
    public string ApiKeyEnvironmentVariable { get; set; } = "OPENAI_API_KEY";
    /// <summary>Sampling temperature; 0 for reproducible judgments.</summary>
    public double Temperature { get; set; }
    /// <summary>Optional max_tokens for the answer; null = server default.</summary>
    public int? MaxTokens { get; set; }
    /// <summary>Pairs per request. Default 10.</summary>
    public int BatchSize { get; set; } = 10;
    /// <summary>Requests in flight at once. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;
    /// <summary>Retries after the first attempt for a batch (network error, timeout, 408/409/429/5xx, malformed
    /// answer). Default 5.</summary>
    public int MaxRetries { get; set; } = 5;
    /// <summary>First back-off delay; attempt a waits min(Max, Initial·2^a)·(0.5 + U[0,1)) with seeded jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Cap on the exponential back-off delay.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Cap on a server Retry-After delay (a longer value is clamped to this). Default 5 minutes.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Timeout of one HTTP request (an expired request is retried). Default 60 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Seed of the back-off jitter.</summary>
    public int Seed { get; set; } = 17;
    /// <summary>Persistent JSONL cache of answers keyed by SHA-256(model, prompt version, query, item); null = no
    /// cache. Cached pairs are never sent again.</summary>
    public string? CachePath { get; set; }
    /// <summary>Send <c>response_format: {"type":"json_object"}</c>. Disable for servers that reject it.</summary>
    public bool UseJsonResponseFormat { get; set; } = true;
    /// <summary>Version tag of the prompt; part of the cache key together with a hash of the guideline and
    /// examples, so editing either invalidates old cache entries.</summary>
    public string PromptVersion { get; set; } = "v1";
    /// <summary>The grading guideline (system prompt). Default: the 3-level guideline of paper §1–§2.</summary>
    public string Guideline { get; set; } = LlmPrompt.DefaultGuideline;
    /// <summary>Few-shot examples shown in the system prompt. Default: <see cref="LlmPrompt.DefaultExamples"/>.</summary>
    public IReadOnlyList<FewShotExample> FewShotExamples { get; set; } = LlmPrompt.DefaultExamples;
    /// <summary>Probability put on the returned grade (the rest is split over the two other grades), since a chat
    /// answer carries no calibrated probability. In [1/3, 1]; default 0.9.</summary>
    public float HardLabelConfidence { get; set; } = 0.9f;
    /// <summary>Judge name; default "llm:{Model}".</summary>
    public string? Name { get; set; }

    /// <summary>Checks every option and throws <see cref="ArgumentException"/> saying what is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            throw new ArgumentException($"LlmLabelerOptions.BaseUrl '{BaseUrl}' is not an absolute http(s) URL; set e.g. https://api.openai.com/v1.");
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("LlmLabelerOptions.Model is empty; set the model name, e.g. gpt-4o-mini.");
        if (string.IsNullOrWhiteSpace(ApiKeyEnvironmentVariable))
            throw new ArgumentException("LlmLabelerOptions.ApiKeyEnvironmentVariable is empty; set the NAME of the variable holding the key (default OPENAI_API_KEY).");
        if (Temperature is < 0 or > 2) throw new ArgumentException($"LlmLabelerOptions.Temperature {Temperature} is outside [0, 2]; use 0 for judging.");
        if (MaxTokens is <= 0) throw new ArgumentException($"LlmLabelerOptions.MaxTokens {MaxTokens} must be positive or null.");
        if (BatchSize is < 1 or > 200) throw new ArgumentException($"LlmLabelerOptions.BatchSize {BatchSize} must be in 1..200 (default 10).");
        if (MaxConcurrency is < 1 or > 256) throw new ArgumentException($"LlmLabelerOptions.MaxConcurrency {MaxConcurrency} must be in 1..256 (default 4).");
        if (MaxRetries is < 0 or > 50) throw new ArgumentException($"LlmLabelerOptions.MaxRetries {MaxRetries} must be in 0..50 (default 5).");
        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
            throw new ArgumentException($"LlmLabelerOptions back-off is invalid (Initial {InitialBackoff}, Max {MaxBackoff}); need 0 ≤ Initial ≤ Max.");
        if (MaxRetryAfter < TimeSpan.Zero) throw new ArgumentException("LlmLabelerOptions.MaxRetryAfter must not be negative.");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException($"LlmLabelerOptions.RequestTimeout {RequestTimeout} must be positive.");
        if (string.IsNullOrWhiteSpace(PromptVersion)) throw new ArgumentException("LlmLabelerOptions.PromptVersion is empty; set a version tag such as v1.");
        if (string.IsNullOrWhiteSpace(Guideline)) throw new ArgumentException("LlmLabelerOptions.Guideline is empty; keep the default or give the grading guideline.");
        ArgumentNullException.ThrowIfNull(FewShotExamples);
        for (int i = 0; i < FewShotExamples.Count; i++)
        {
            var e = FewShotExamples[i];
            if (e is null || string.IsNullOrWhiteSpace(e.Query) || string.IsNullOrWhiteSpace(e.Item) || !Data.Grades.IsValid(e.Grade))
                throw new ArgumentException($"LlmLabelerOptions.FewShotExamples[{i}] needs a non-empty query and item and a grade in 0..2.");
        }
        if (!(HardLabelConfidence is >= 1f / 3f and <= 1f))
            throw new ArgumentException($"LlmLabelerOptions.HardLabelConfidence {HardLabelConfidence} must be in [1/3, 1] (default 0.9).");
    }
}
