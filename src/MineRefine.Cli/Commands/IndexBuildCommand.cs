using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Modeling;
using MineRefine.Data;
using MineRefine.Retrieval.Dense;
using MineRefine.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine index build</c>.</summary>
public sealed class IndexBuildSettings : DataSettings
{
    /// <inheritdoc />
    /// <remarks>Only the products are read: a catalog alone (no queries or judgments files) is enough.</remarks>
    protected override bool CatalogOnly => true;

    /// <summary>Model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("'minilm' or 'arctic-xs' (pretrained, zero-shot), a model folder (e.g. <pipeline out>/model), or an ONNX model folder from 'export' (the service then encodes queries on ONNX Runtime).")]
    public string Model { get; set; } = "minilm";

    /// <summary>Vector index kind.</summary>
    [CommandOption("--vectors <KIND>")]
    [Description("Vector index: hnsw (USearch, default) or exact.")]
    [DefaultValue("hnsw")]
    public string Vectors { get; set; } = "hnsw";

    /// <summary>Quantisation.</summary>
    [CommandOption("--quantization <Q>")]
    [Description("HNSW storage: f16 (default) or f32.")]
    [DefaultValue("f16")]
    public string Quantization { get; set; } = "f16";

    /// <summary>HNSW M.</summary>
    [CommandOption("--connectivity <M>")]
    [Description("HNSW connectivity M.")]
    [DefaultValue(16)]
    public int Connectivity { get; set; } = 16;

    /// <summary>HNSW ef_search.</summary>
    [CommandOption("--ef <EF>")]
    [Description("HNSW expansion at search time (ef_search).")]
    [DefaultValue(64)]
    public int Ef { get; set; } = 64;

    /// <summary>The vector index options.</summary>
    public VectorIndexOptions VectorOptions() => new()
    {
        Kind = VectorIndexOptions.ParseKind(Vectors),
        Quantization = VectorIndexOptions.ParseQuantization(Quantization),
        Connectivity = Connectivity,
        ExpansionSearch = Ef,
    };

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        try { VectorOptions().Validate(); }
        catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
        if (EmbedderFactory.Problem(Model) is { } problem) return ValidationResult.Error(problem);
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine index build</c>: encode a catalog with a model and write a search index folder
/// (model, catalog, embeddings, ANN index, BM25 index) for <c>minerefine serve</c>.</summary>
public sealed class IndexBuildCommand(CliEnvironment env) : Command<IndexBuildSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, IndexBuildSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var manifest = new RunManifest("index build", settings, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var p in settings.InputPaths()) manifest.AddInput(p);
        var data = DatasetLoader.Load(settings.ToDataSourceOptions());
        human.MarkupLine($"loaded [bold]{data.Products.Count:N0}[/] products");
        SearchIndexManifest result = null!;
        human.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("encode catalog", maxValue: Math.Max(1, data.Products.Count));
                result = SearchIndex.Build(settings.Model, data.Products, settings.Out!,
                    new SearchIndexOptions { Vectors = settings.VectorOptions() },
                    new Progress<int>(done => task.Value = done));
                task.Value = task.MaxValue;
            });
        manifest.AddOutput(settings.Out!);
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        human.MarkupLine($"index of [bold]{result.Products:N0}[/] products ({result.VectorIndex}, d={result.Dimension}) " +
                         $"written to [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/] in {result.Seconds:0.0} s" +
                         (result.HasThresholds ? "" : " [yellow](no calibrated thresholds in the model: tiers are off)[/]"));
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(result));
        return ExitCodes.Ok;
    }
}
