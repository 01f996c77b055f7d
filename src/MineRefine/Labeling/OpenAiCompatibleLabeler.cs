using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MineRefine.Data;

namespace MineRefine.Labeling;

/// <summary>Counters of an <see cref="OpenAiCompatibleLabeler"/> (cumulative over calls).</summary>
public sealed class LlmLabelerStats
{
    internal long _requests, _retries, _cacheHits, _pairsSent, _failedPairs, _malformed;
    private readonly List<TimeSpan> _delays = new();

    /// <summary>HTTP attempts made (including retries).</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Attempts that were retries.</summary>
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Pairs answered from the cache (never sent).</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);
    /// <summary>Distinct pairs graded by the server (successfully).</summary>
    public long PairsSent => Interlocked.Read(ref _pairsSent);
    /// <summary>Pairs that failed after all retries.</summary>
    public long FailedPairs => Interlocked.Read(ref _failedPairs);
    /// <summary>Answers rejected by the strict parser.</summary>
    public long MalformedAnswers => Interlocked.Read(ref _malformed);
    /// <summary>Every back-off delay waited, in order of occurrence (Retry-After values appear here as given).</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get { lock (_delays) return _delays.ToArray(); } }
    internal void AddDelay(TimeSpan d) { lock (_delays) _delays.Add(d); }
}

/// <summary>LLM relevance judge over an OpenAI-compatible <c>/chat/completions</c> endpoint (paper §2: an LLM
/// labels training, mined and synthetic pairs). Pairs are sent in batches with the 3-level guideline and few-shot
/// examples; the answer must be the JSON <c>{"labels":[{"i":0,"grade":2},…]}</c> and is parsed strictly. Failed
/// or malformed attempts are retried with seeded exponential back-off + jitter (Retry-After honoured); a batch that
/// still fails makes its pairs fail with a <see cref="LabelingException"/> (no guessing). Answers are cached on
/// disk so a pair is never paid for twice.</summary>
public sealed class OpenAiCompatibleLabeler : ILabeler
{
    private readonly LlmLabelerOptions _o;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly LabelCache? _cache;
    private readonly Random _jitter;
    private readonly string _systemPrompt;
    private readonly string _promptVersion;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;

    /// <summary>Creates the labeler. <paramref name="http"/> is optional (not disposed when given); its own timeout
    /// is not used — <see cref="LlmLabelerOptions.RequestTimeout"/> applies per request.</summary>
    public OpenAiCompatibleLabeler(LlmLabelerOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _o = options;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _jitter = new Random(options.Seed);
        _systemPrompt = LlmPrompt.SystemPrompt(options.Guideline, options.FewShotExamples);
        _promptVersion = LlmPrompt.EffectiveVersion(options.PromptVersion, options.Guideline, options.FewShotExamples);
        _endpoint = new Uri(options.BaseUrl.TrimEnd('/') + "/chat/completions");
        var key = Environment.GetEnvironmentVariable(options.ApiKeyEnvironmentVariable);
        _apiKey = string.IsNullOrWhiteSpace(key) ? null : key.Trim();
        Name = options.Name ?? $"llm:{options.Model}";
        if (options.CachePath is not null) _cache = new LabelCache(options.CachePath);
    }

    /// <inheritdoc />
    public string Name { get; }
    /// <summary>Counters (requests, retries, cache hits, delays).</summary>
    public LlmLabelerStats Stats { get; } = new();
    /// <summary>Prompt version used in cache keys (tag + guideline/examples hash).</summary>
    public string PromptVersion => _promptVersion;
    /// <summary>True when an API key was found in the configured environment variable.</summary>
    public bool HasApiKey => _apiKey is not null;

    /// <inheritdoc />
    public async Task<IReadOnlyList<LabelResult>> LabelAsync(IReadOnlyList<LabelRequest> pairs, IProgress<int>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var results = new LabelResult?[pairs.Count];
        var pending = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<(string Key, string Query, string Item)>();
        int done = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            var p = pairs[i] ?? throw new ArgumentException($"pairs[{i}] is null.", nameof(pairs));
            string key = LlmPrompt.CacheKey(_o.Model, _promptVersion, p.QueryText, p.ItemText);
            if (_cache is not null && _cache.TryGet(key, out int g))
            {
                results[i] = Make(g);
                Interlocked.Increment(ref Stats._cacheHits);
                done++;
                continue;
            }
            if (!pending.TryGetValue(key, out var list))
            {
                pending[key] = list = new List<int>();
                order.Add((key, p.QueryText, p.ItemText));
            }
            list.Add(i);
        }
        if (done > 0) progress?.Report(done);

        var failures = new List<LabelFailure>();
        using var gate = new SemaphoreSlim(_o.MaxConcurrency);
        var tasks = new List<Task>();
        for (int start = 0; start < order.Count; start += _o.BatchSize)
        {
            var batch = order.GetRange(start, Math.Min(_o.BatchSize, order.Count - start));
            tasks.Add(Task.Run(async () =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    var (grades, error) = await GradeBatchAsync(batch, ct).ConfigureAwait(false);
                    int finished = 0;
                    lock (results)
                    {
                        for (int b = 0; b < batch.Count; b++)
                            foreach (int idx in pending[batch[b].Key])
                            {
                                if (grades is not null) results[idx] = Make(grades[b]);
                                else
                                {
                                    failures.Add(new LabelFailure(idx, pairs[idx].QueryId, pairs[idx].ProductId, error!));
                                    Interlocked.Increment(ref Stats._failedPairs);
                                }
                                finished++;
                            }
                        done += finished;
                        progress?.Report(done);
                    }
                }
                finally { gate.Release(); }
            }, ct));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);

        if (failures.Count > 0)
            throw new LabelingException(Name, failures.OrderBy(f => f.Index).ToList(), results);
        return results!;
    }

    private LabelResult Make(int grade) => LabelResult.FromGrade(grade, _o.HardLabelConfidence, JudgmentSource.Model, Name);

    /// <summary>Grades one batch with retries; returns grades, or null and the last error.</summary>
    private async Task<(int[]? Grades, string? Error)> GradeBatchAsync(List<(string Key, string Query, string Item)> batch, CancellationToken ct)
    {
        string body = BuildRequestBody(batch);
        string lastError = "no attempt made";
        for (int attempt = 0; attempt <= _o.MaxRetries; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            if (attempt > 0) Interlocked.Increment(ref Stats._retries);
            Interlocked.Increment(ref Stats._requests);
            TimeSpan? retryAfter = null;
            bool retryable = true;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(_o.RequestTimeout);
                try
                {
                    using var req = new HttpRequestMessage(HttpMethod.Post, _endpoint)
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    if (_apiKey is not null) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
                    using var resp = await _http.SendAsync(req, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                    string text = await resp.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                    if (resp.IsSuccessStatusCode)
                    {
                        try
                        {
                            var grades = LlmPrompt.ParseAnswer(ExtractContent(text), batch.Count);
                            _cache?.AddRange(batch.Select((b, k) => (b.Key, grades[k])), Name);
                            Interlocked.Add(ref Stats._pairsSent, batch.Count);
                            return (grades, null);
                        }
                        catch (FormatException ex)
                        {
                            Interlocked.Increment(ref Stats._malformed);
                            lastError = $"malformed answer: {ex.Message}";
                        }
                    }
                    else
                    {
                        int code = (int)resp.StatusCode;
                        lastError = $"HTTP {code} {resp.ReasonPhrase}: {Snippet(text)}";
                        retryable = code is 408 or 409 or 429 or >= 500;
                        if (code == 400 && _o.UseJsonResponseFormat)
                            lastError += " (if the server rejects response_format, set UseJsonResponseFormat = false)";
                        if (code is 401 or 403)
                            lastError += $" (check the API key in environment variable {_o.ApiKeyEnvironmentVariable})";
                        retryAfter = RetryAfter(resp);
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    lastError = $"request timed out after {_o.RequestTimeout.TotalSeconds:0.###} s";
                }
                catch (HttpRequestException ex)
                {
                    lastError = $"network error: {ex.Message}";
                }
            }
            if (!retryable) return (null, lastError);
            if (attempt == _o.MaxRetries) break;
            var delay = retryAfter ?? Backoff(attempt);
            Stats.AddDelay(delay);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, ct).ConfigureAwait(false);
        }
        return (null, $"{lastError} (after {_o.MaxRetries + 1} attempts)");
    }

    private TimeSpan Backoff(int attempt)
    {
        double baseMs = Math.Min(_o.MaxBackoff.TotalMilliseconds, _o.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt));
        double u;
        lock (_jitter) u = _jitter.NextDouble();
        return TimeSpan.FromMilliseconds(baseMs * (0.5 + u));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage resp)
    {
        var ra = resp.Headers.RetryAfter;
        if (ra is null) return null;
        TimeSpan? d = ra.Delta ?? (ra.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (d is null) return null;
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        return d > _o.MaxRetryAfter ? _o.MaxRetryAfter : d;
    }

    private string BuildRequestBody(List<(string Key, string Query, string Item)> batch)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model", _o.Model);
            w.WriteNumber("temperature", _o.Temperature);
            if (_o.MaxTokens is int mt) w.WriteNumber("max_tokens", mt);
            if (_o.UseJsonResponseFormat)
            {
                w.WriteStartObject("response_format");
                w.WriteString("type", "json_object");
                w.WriteEndObject();
            }
            w.WriteStartArray("messages");
            w.WriteStartObject(); w.WriteString("role", "system"); w.WriteString("content", _systemPrompt); w.WriteEndObject();
            w.WriteStartObject(); w.WriteString("role", "user");
            w.WriteString("content", LlmPrompt.UserPrompt(batch.Select(b => (b.Query, b.Item)).ToList())); w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>choices[0].message.content of a chat-completions response; FormatException when absent or when
    /// the answer was cut (finish_reason "length").</summary>
    internal static string ExtractContent(string responseBody)
    {
        try
        {
            using var doc = JsonDocument.Parse(responseBody);
            if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                throw new FormatException("response has no choices");
            var c0 = choices[0];
            if (c0.TryGetProperty("finish_reason", out var fr) && fr.ValueKind == JsonValueKind.String && fr.GetString() == "length")
                throw new FormatException("answer was truncated (finish_reason = length); lower BatchSize or raise MaxTokens");
            if (!c0.TryGetProperty("message", out var msg) || !msg.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                throw new FormatException("response has no choices[0].message.content string");
            return content.GetString()!;
        }
        catch (JsonException ex) { throw new FormatException($"response body is not JSON: {ex.Message}"); }
    }

    private static string Snippet(string s) => s.Length <= 300 ? s : s[..300] + "…";

    /// <inheritdoc />
    public void Dispose()
    {
        _cache?.Dispose();
        if (_ownsHttp) _http.Dispose();
    }
}
