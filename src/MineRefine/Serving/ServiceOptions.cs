namespace MineRefine.Serving;

/// <summary>Which endpoints need the API key.</summary>
public enum ApiKeyScope
{
    /// <summary>Every /v1 endpoint.</summary>
    AllV1,
    /// <summary>Only /v1/admin endpoints.</summary>
    AdminOnly,
}

/// <summary>Options of <see cref="SearchService"/> (paper §9 serving; all limits are [choice]).</summary>
public sealed class ServiceOptions
{
    /// <summary>Environment variable read when <see cref="ApiKey"/> is not set.</summary>
    public const string DefaultApiKeyVariable = "MINEREFINE_API_KEY";

    /// <summary>Listen URL(s), ';'-separated; default loopback only, <c>http://127.0.0.1:5080</c>. Port 0 picks a free port.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";
    /// <summary>Maximum query length in characters; default 256.</summary>
    public int MaxQueryLength { get; set; } = 256;
    /// <summary>Largest k accepted (1..1000); default 200.</summary>
    public int MaxK { get; set; } = 200;
    /// <summary>k when the request omits it; default 10.</summary>
    public int DefaultK { get; set; } = 10;
    /// <summary>Mode when the request omits it; default hybrid.</summary>
    public SearchMode DefaultMode { get; set; } = SearchMode.Hybrid;
    /// <summary>Maximum number of queries in one POST /v1/search; default 32.</summary>
    public int MaxBatchSize { get; set; } = 32;
    /// <summary>Maximum request body in bytes; default 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
    /// <summary>Per-request search timeout; default 10 s. Exceeding it answers 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>API key; when null the variable <see cref="ApiKeyEnvironmentVariable"/> is read. No key = /v1 open,
    /// admin endpoints disabled.</summary>
    public string? ApiKey { get; set; }
    /// <summary>Environment variable holding the API key; default <c>MINEREFINE_API_KEY</c>.</summary>
    public string ApiKeyEnvironmentVariable { get; set; } = DefaultApiKeyVariable;
    /// <summary>Which endpoints need the key; default every /v1 endpoint.</summary>
    public ApiKeyScope ApiKeyScope { get; set; } = ApiKeyScope.AllV1;
    /// <summary>Serve the web page at /; default true.</summary>
    public bool EnableWebPage { get; set; } = true;
    /// <summary>Minimum log level of ASP.NET Core categories; default Warning.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Warning;

    /// <summary>The key in force: <see cref="ApiKey"/>, else the environment variable, else null.</summary>
    public string? EffectiveApiKey()
    {
        if (!string.IsNullOrEmpty(ApiKey)) return ApiKey;
        var v = string.IsNullOrEmpty(ApiKeyEnvironmentVariable) ? null : Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable);
        return string.IsNullOrEmpty(v) ? null : v;
    }

    /// <summary>Fails early with a message saying what to fix.</summary>
    public ServiceOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls)) throw new ArgumentException("ServiceOptions.Urls is empty; e.g. http://127.0.0.1:5080.");
        foreach (var u in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new ArgumentException($"ServiceOptions.Urls: '{u}' is not an http(s) URL; e.g. http://127.0.0.1:5080.");
        if (MaxQueryLength < 1) throw new ArgumentException($"ServiceOptions.MaxQueryLength must be ≥ 1 (got {MaxQueryLength}); default 256.");
        if (MaxK is < 1 or > 1000) throw new ArgumentException($"ServiceOptions.MaxK must be in 1..1000 (got {MaxK}); default 200.");
        if (DefaultK < 1 || DefaultK > MaxK) throw new ArgumentException($"ServiceOptions.DefaultK must be in 1..MaxK={MaxK} (got {DefaultK}).");
        if (!Enum.IsDefined(DefaultMode)) throw new ArgumentException($"ServiceOptions.DefaultMode '{DefaultMode}' is unknown; use Dense, Bm25 or Hybrid.");
        if (MaxBatchSize < 1) throw new ArgumentException($"ServiceOptions.MaxBatchSize must be ≥ 1 (got {MaxBatchSize}); default 32.");
        if (MaxRequestBodyBytes < 256) throw new ArgumentException($"ServiceOptions.MaxRequestBodyBytes must be ≥ 256 (got {MaxRequestBodyBytes}); default 65536.");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException($"ServiceOptions.RequestTimeout must be positive (got {RequestTimeout}); default 10 s.");
        if (!Enum.IsDefined(ApiKeyScope)) throw new ArgumentException($"ServiceOptions.ApiKeyScope '{ApiKeyScope}' is unknown; use AllV1 or AdminOnly.");
        return this;
    }
}
