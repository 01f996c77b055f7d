using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MineRefine.Cli.Infrastructure;
using MineRefine.Common;
using MineRefine.Labeling.CrossEncoder;
using MineRefine.Modeling;
using MineRefine.Modeling.Onnx;
using MineRefine.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MineRefine.Cli.Commands;

/// <summary>Options of <c>minerefine export</c>.</summary>
public sealed class ExportSettings : CommandSettings
{
    /// <summary>Model to export.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("The model to export: a model folder (train's DIR/model, merge's DIR/model), a pretrained name (minilm, arctic-xs), " +
                 "or a labeler folder (labeler train's DIR/labeler: written to <out>/labeler with its cross-encoder as model.onnx).")]
    public string? Model { get; set; }

    /// <summary>Target format.</summary>
    [CommandOption("--to <FORMAT>")]
    [Description("Target format: onnx (opset 17; inputs input_ids, attention_mask; outputs query_embedding, item_embedding).")]
    [DefaultValue("onnx")]
    public string To { get; set; } = "onnx";

    /// <summary>Output folder.</summary>
    [CommandOption("--out <DIR>")]
    [Description("Output folder: the ONNX model folder goes to DIR/model (usable as --model DIR/model by eval, encode, " +
                 "mine, index build), with export.json and run.json.")]
    public string? Out { get; set; }

    /// <summary>Parity tolerance.</summary>
    [CommandOption("--tolerance <T>")]
    [Description("Largest accepted |TorchSharp − ONNX| embedding component on the built-in probe texts; the export fails above it.")]
    [DefaultValue(OnnxExportCheck.DefaultTolerance)]
    public double Tolerance { get; set; } = OnnxExportCheck.DefaultTolerance;

    /// <summary>Machine output.</summary>
    [CommandOption("--json")]
    [Description("Print the summary as JSON on stdout.")]
    public bool Json { get; set; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required: the model folder (or pretrained name) to export.");
        if (EmbedderFactory.Problem(Model) is { } problem) return ValidationResult.Error(problem);
        if (Directory.Exists(Model) && OnnxExporter.IsOnnxFolder(Model))
            return ValidationResult.Error($"--model: '{Model}' is already an ONNX model folder; export the model folder it came from.");
        if (!string.Equals(To, "onnx", StringComparison.OrdinalIgnoreCase))
            return ValidationResult.Error($"--to: '{To}' is not supported; the only export format is 'onnx'.");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required: the folder to write the export to.");
        if (!(Tolerance > 0)) return ValidationResult.Error($"--tolerance must be > 0 (got {Tolerance}).");
        return ValidationResult.Success();
    }
}

/// <summary><c>minerefine export</c>: writes a model as a self-contained ONNX graph (<see cref="OnnxExporter"/>) and
/// checks that ONNX Runtime reproduces the TorchSharp embeddings of both towers (<see cref="OnnxExportCheck"/>).</summary>
public sealed class ExportCommand(CliEnvironment env) : Command<ExportSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        var human = settings.Json ? env.Error : env.Console;
        var manifest = new RunManifest("export", settings) { Arguments = context.Arguments.ToList() };
        string model = settings.Model!;
        if (CrossEncoderPackage.IsLabelerFolder(model)) return ExportLabeler(settings, manifest, human);
        if (Directory.Exists(model)) manifest.AddInput(Path.Combine(model, SiameseModel.WeightsFile));
        string outDir = settings.Out!;
        string onnxDir = Path.Combine(outDir, "model");
        var sw = Stopwatch.StartNew();
        using var torchEmbedder = (SiameseEmbedder)EmbedderFactory.Open(model);
        // The calibrated thresholds and fusion settings (pipeline, calibration) travel with the model to the service.
        var companions = SearchIndex.CalibrationFiles(model);
        var parity = OnnxExportCheck.ExportAndCheck(torchEmbedder, onnxDir, companions, settings.Tolerance);
        double exportSeconds = sw.Elapsed.TotalSeconds;
        long bytes = new FileInfo(Path.Combine(onnxDir, OnnxExporter.ModelFile)).Length;
        var summary = new
        {
            model = Directory.Exists(model) ? Path.GetFullPath(model) : model,
            model_hash = torchEmbedder.ModelHash,
            format = "onnx",
            opset = OnnxExporter.Opset,
            onnx_model = Path.GetFullPath(onnxDir),
            onnx_bytes = bytes,
            dimension = torchEmbedder.Dimension,
            inputs = new[] { OnnxExporter.InputIds, OnnxExporter.AttentionMask },
            outputs = new[] { OnnxExporter.QueryOutput, OnnxExporter.ItemOutput },
            query_prefix = torchEmbedder.Config.QueryPrefix,
            copied = companions.Select(Path.GetFileName).ToArray(),
            parity = new
            {
                texts = parity.Texts,
                query_max_abs_diff = parity.QueryMaxAbsDiff,
                query_min_cosine = parity.QueryMinCosine,
                item_max_abs_diff = parity.ItemMaxAbsDiff,
                item_min_cosine = parity.ItemMinCosine,
                tolerance = parity.Tolerance,
                passed = parity.Passed,
            },
            export_and_check_seconds = Math.Round(exportSeconds, 2),
        };
        Record(manifest, outDir, onnxDir, summary);
        human.MarkupLine($"exported {Markup.Escape(summary.model)} → [bold]{Markup.Escape(onnxDir)}[/] " +
                         $"({bytes / 1048576.0:0.0} MiB, opset {OnnxExporter.Opset}, {torchEmbedder.Dimension}-d, {exportSeconds:0.0} s with the check)");
        human.MarkupLine($"parity on {parity.Texts} probe texts: query max |Δ| {F(parity.QueryMaxAbsDiff)} (min cosine {parity.QueryMinCosine:0.000000}), " +
                         $"item max |Δ| {F(parity.ItemMaxAbsDiff)} (min cosine {parity.ItemMinCosine:0.000000}), tolerance {F(parity.Tolerance)}");
        if (companions.Count > 0)
            human.MarkupLine($"copied {Markup.Escape(string.Join(", ", summary.copied))} (calibration for the service)");
        return Finish(settings, summary, parity.Passed, "model", onnxDir);
    }

    private static string F(double v) => v.ToString("0.##E+0", CultureInfo.InvariantCulture);

    /// <summary>export.json and run.json next to the exported folder.</summary>
    private static void Record(RunManifest manifest, string outDir, string exportedDir, object summary)
    {
        Json.WriteFile(Path.Combine(outDir, "export.json"), summary);
        manifest.Notes["summary"] = summary;
        manifest.AddOutput(Path.Combine(exportedDir, OnnxExporter.ModelFile));
        manifest.Complete();
        manifest.WriteTo(outDir);
    }

    /// <summary>The JSON on stdout when asked for, and the exit code: a failed parity check is a failure that says
    /// not to use the folder.</summary>
    private int Finish(ExportSettings settings, object summary, bool passed, string what, string exportedDir)
    {
        if (settings.Json) env.Stdout.WriteLine(Json.Serialize(summary));
        if (passed) return ExitCodes.Ok;
        env.Error.MarkupLine($"[red]error:[/] the ONNX graph does not reproduce the {what} within {F(settings.Tolerance)}; " +
                             $"do not use {Markup.Escape(exportedDir)} (export.json has the figures).");
        return ExitCodes.Failure;
    }

    /// <summary>A labeler folder (<c>labeler train</c>'s <c>labeler</c>): the same folder plus its cross-encoder as
    /// <c>model.onnx</c> in <c>&lt;out&gt;/labeler</c>, probabilities checked against TorchSharp.</summary>
    private int ExportLabeler(ExportSettings settings, RunManifest manifest, IAnsiConsole human)
    {
        string model = settings.Model!, outDir = settings.Out!;
        string labelerDir = Path.Combine(outDir, "labeler");
        manifest.AddInput(Path.Combine(model, CrossEncoderPackage.WeightsFile));
        var sw = Stopwatch.StartNew();
        OnnxLabelerParity parity;
        using (var package = CrossEncoderPackage.Load(model))
            parity = OnnxExportCheck.ExportLabelerAndCheck(package, labelerDir, settings.Tolerance);
        double seconds = sw.Elapsed.TotalSeconds;
        long bytes = new FileInfo(Path.Combine(labelerDir, OnnxExporter.ModelFile)).Length;
        var summary = new
        {
            labeler = Path.GetFullPath(model),
            format = "onnx",
            opset = OnnxExporter.Opset,
            onnx_labeler = Path.GetFullPath(labelerDir),
            onnx_bytes = bytes,
            inputs = new[] { OnnxExporter.InputIds, OnnxExporter.AttentionMask, OnnxExporter.TokenTypeIds },
            outputs = new[] { OnnxExporter.LogitsOutput },
            parity = new
            {
                pairs = parity.Pairs,
                max_abs_diff_probability = parity.MaxAbsDiff,
                grade_agreement = parity.GradeAgreement,
                tolerance = parity.Tolerance,
                passed = parity.Passed,
            },
            export_and_check_seconds = Math.Round(seconds, 2),
        };
        Record(manifest, outDir, labelerDir, summary);
        human.MarkupLine($"exported labeler {Markup.Escape(summary.labeler)} → [bold]{Markup.Escape(labelerDir)}[/] " +
                         $"({bytes / 1048576.0:0.0} MiB, opset {OnnxExporter.Opset}, {seconds:0.0} s with the check); " +
                         "every --labeler / --judge labeler: option given this folder labels on ONNX Runtime");
        human.MarkupLine($"parity on {parity.Pairs} probe pairs: max |Δ| probability {F(parity.MaxAbsDiff)}, same grade {parity.GradeAgreement:P1}");
        return Finish(settings, summary, parity.Passed, "labeler", labelerDir);
    }
}
