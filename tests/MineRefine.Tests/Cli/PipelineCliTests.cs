using MineRefine.Cli;
using MineRefine.Cli.Infrastructure;
using MineRefine.Pipeline;

namespace MineRefine.Tests.Cli;

/// <summary><c>minerefine pipeline</c>'s stage-1 recipe options are validated before any step runs, with messages
/// that say what is wrong and how to fix it.</summary>
public sealed class PipelineCliTests
{
    private static (int Code, string Text) Cli(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = Program.Run(args, CliEnvironment.Plain(o, e));
        return (code, o.ToString() + e.ToString());
    }

    [Theory]
    [InlineData("--model tiny --head-dim 64", "--head-dim only applies to a pretrained start model")]
    [InlineData("--model arctic-xs --head-dim 0", "--head-dim must be in [1, 4096] (got 0)")]
    [InlineData("--model minilm --head-dim 5000", "--head-dim must be in [1, 4096] (got 5000)")]
    [InlineData("--model tiny --lexical-negatives -1", "--lexical-negatives must be in [0, 64] (got -1)")]
    [InlineData("--model tiny --dense-negatives 65", "--dense-negatives must be in [0, 64] (got 65)")]
    [InlineData("--model tiny --select-metric ndcg@5", "--select-metric 'ndcg@5' is not a dev metric; use one of: ndcg@10")]
    [InlineData("--model tiny --topic-batches 8", "--topic-batches only changes the in-batch negatives; add --in-batch-negatives")]
    [InlineData("--model tiny --in-batch-negatives --topic-batches -2", "--topic-batches must be ≥ 0 (got -2)")]
    public void BadRecipeOptionsAreRejectedBeforeAnyStepRuns(string options, string message)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mr-pipecli-" + Guid.NewGuid().ToString("N"));
        var r = Cli([.. "pipeline --out".Split(' '), dir, .. options.Split(' ')]);
        Assert.NotEqual(0, r.Code);
        Assert.Contains(message, r.Text);
        Assert.False(Directory.Exists(dir), "nothing may be written for rejected options");
    }

    [Fact]
    public void ValidRecipeOptionsAreAccepted()
    {
        var ok = new PipelineOptions { Model = "arctic-xs", HeadDim = 384, Stage1LexicalNegatives = 4 }.Validate();
        Assert.Equal(384, ok.HeadDim);
        Assert.Equal(4, ok.Stage1LexicalNegatives);
        new PipelineOptions { Model = "tiny", Stage1LexicalNegatives = 2 }.Validate();
        Assert.Equal(8, new MineRefine.Cli.Commands.PipelineSettings { Out = "x", TopicBatches = 8, InBatchNegatives = true }.ToOptions().Validate().Stage1TopicClusters);
        Assert.Equal("ndcg_judged@10", new PipelineOptions { Model = "tiny", SelectMetric = "ndcg_judged@10" }.Validate().SelectMetric);
        Assert.Equal("ndcg_judged@10", new MineRefine.Cli.Commands.PipelineSettings { Out = "x", SelectMetric = "ndcg_judged@10" }.ToOptions().SelectMetric);
    }

    [Theory]
    [InlineData("", null, true)]
    [InlineData("--in-batch-negatives", true, true)]
    [InlineData("--no-onnx", null, false)]
    [InlineData("--in-batch-negatives --no-onnx", true, false)]
    public void InBatchNegativesAndOnnxFlagsReachThePipelineOptions(string flags, bool? inBatch, bool onnx)
    {
        var argv = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // The flags parse: with a bad option beside them the error is that option's, not "unknown option".
        string dir = Path.Combine(Path.GetTempPath(), "mr-pipecli-" + Guid.NewGuid().ToString("N"));
        var r = Cli(["pipeline", "--out", dir, "--model", "tiny", "--head-dim", "64", .. argv]);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("--head-dim only applies to a pretrained start model", r.Text);
        // … and map to the pipeline's options.
        var settings = new MineRefine.Cli.Commands.PipelineSettings
        {
            Out = dir, InBatchNegatives = argv.Contains("--in-batch-negatives"), NoOnnx = argv.Contains("--no-onnx"),
        };
        var o = settings.ToOptions();
        Assert.Equal(inBatch, o.Stage1InBatchNegatives);
        Assert.Equal(onnx, o.Onnx);
    }
}
