using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using Microsoft.Extensions.Hosting;
using MineRefine.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine serve</c>.</summary>
public sealed class ServeSettings : CommandSettings
{
    /// <summary>Index folder.</summary>
    [CommandOption("--index <DIR>")]
    [Description("Search index folder (from 'index build' or '<pipeline out>/index').")]
    public string? Index { get; set; }

    /// <summary>Listen URLs.</summary>
    [CommandOption("--urls <URLS>")]
    [Description("Addresses to listen on (loopback by default).")]
    [DefaultValue("http://127.0.0.1:5080")]
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Max k.</summary>
    [CommandOption("--max-k <K>")]
    [Description("Largest k a request may ask for.")]
    [DefaultValue(200)]
    public int MaxK { get; set; } = 200;

    /// <summary>Timeout.</summary>
    [CommandOption("--timeout <SECONDS>")]
    [Description("Per-request timeout in seconds.")]
    [DefaultValue(10.0)]
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Key scope.</summary>
    [CommandOption("--api-key-scope <SCOPE>")]
    [Description("Where the API key (env MINEREFINE_API_KEY) is required: all (every /v1 endpoint) or admin (reload only).")]
    [DefaultValue("all")]
    public string ApiKeyScope { get; set; } = "all";

    /// <summary>The service options.</summary>
    public ServiceOptions ToOptions() => new ServiceOptions
    {
        Urls = Urls,
        MaxK = MaxK,
        RequestTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
        ApiKeyScope = ApiKeyScope.ToLowerInvariant() switch
        {
            "all" => Serving.ApiKeyScope.AllV1,
            "admin" => Serving.ApiKeyScope.AdminOnly,
            _ => throw new ArgumentException($"Unknown --api-key-scope '{ApiKeyScope}'. Use all or admin."),
        },
    }.Validate();

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Index)) return ValidationResult.Error("--index <DIR> is required.");
        if (!Directory.Exists(Index)) return ValidationResult.Error($"--index: folder '{Index}' does not exist.");
        try { ToOptions(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine serve</c>: the hybrid search service (HTTP API + web page) over an index folder.
/// The index loads in the background: <c>/healthz</c> answers at once, <c>/readyz</c> once it is loaded.
/// <c>POST /v1/admin/reload</c> (with the API key) re-opens the folder and swaps it in atomically.</summary>
public sealed class ServeCommand(CliEnvironment env) : Command<ServeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        string index = Path.GetFullPath(settings.Index!);
        var app = SearchService.Build(settings.ToOptions(), ct => SearchIndex.Open(index, ct));
        env.Console.MarkupLine($"serving [bold]{Markup.Escape(index)}[/] on [bold]{Markup.Escape(settings.Urls)}[/] " +
                               "(web page at /, API at /v1/search, OpenAPI at /openapi.json; Ctrl+C stops)");
        app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
