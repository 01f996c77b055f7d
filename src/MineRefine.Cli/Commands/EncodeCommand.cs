using System.ComponentModel;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Data;
using MineRefine.Modeling;
using MineRefine.Retrieval;
using MineRefine.Retrieval.Dense;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine encode</c>.</summary>
public sealed class EncodeSettings : DataSettings
{
    /// <inheritdoc />
    /// <remarks>Only the products are read: a catalog alone (no queries or judgments files) is enough.</remarks>
    protected override bool CatalogOnly => true;

    /// <summary>Model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("'minilm' or 'arctic-xs' (pretrained, zero-shot), a model folder, or an ONNX model folder from 'export' (runs on ONNX Runtime).")]
    [DefaultValue("minilm")]
    public string Model { get; set; } = "minilm";

    /// <summary>Batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Texts per forward pass (length-bucketed).")]
    [DefaultValue(64)]
    public int BatchSize { get; set; } = 64;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var b = base.Validate();
        if (!b.Successful) return b;
        if (BatchSize < 1) return ValidationResult.Error($"--batch-size must be ≥ 1 (got {BatchSize}).");
        if (EmbedderFactory.Problem(Model) is { } problem) return ValidationResult.Error(problem);
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine encode</c>: encode a catalog's item texts with the item tower into
/// <c>&lt;out&gt;/embeddings.bin</c> (magic, version, count, dimension, float32 rows in catalog order) and
/// <c>&lt;out&gt;/ids.txt</c> (one product id per row).</summary>
public sealed class EncodeCommand(CliEnvironment env) : Command<EncodeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, EncodeSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var manifest = new RunManifest("encode", settings, settings.Seed) { Arguments = context.Arguments.ToList() };
        foreach (var p in settings.InputPaths()) manifest.AddInput(p);
        var data = DatasetLoader.Load(settings.ToDataSourceOptions());
        using var embedder = EmbedderFactory.Open(settings.Model, new EmbedderOptions { BatchSize = settings.BatchSize });
        var texts = embedder.ItemFormatter.Format(data.Products);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        EmbeddingMatrix matrix = null!;
        human.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("encode items", maxValue: Math.Max(1, texts.Count));
                matrix = embedder.Encode(texts, EmbeddingRole.Item, new Progress<int>(d => task.Value = d));
                task.Value = task.MaxValue;
            });
        double seconds = sw.Elapsed.TotalSeconds;
        Directory.CreateDirectory(settings.Out!);
        string file = Path.Combine(settings.Out!, "embeddings.bin");
        string sha = EmbeddingFile.Write(file, matrix);
        File.WriteAllLines(Path.Combine(settings.Out!, "ids.txt"), data.Products.Select(p => p.Id));
        var summary = new
        {
            items = matrix.Count, dimension = matrix.Dimension, model = embedder.Name, model_hash = embedder.ModelHash,
            seconds, items_per_second = matrix.Count / Math.Max(seconds, 1e-9), sha256 = sha,
        };
        manifest.Notes["summary"] = summary;
        manifest.AddOutput(file);
        manifest.Complete();
        manifest.WriteTo(settings.Out!);
        human.MarkupLine($"encoded [bold]{matrix.Count:N0}[/] items (d={matrix.Dimension}) in {seconds:0.0} s " +
                         $"({summary.items_per_second:0} items/s) → [bold]{Markup.Escape(file)}[/]");
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(summary));
        return ExitCodes.Ok;
    }
}
