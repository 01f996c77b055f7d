// MineRefine benchmarks. Usage: dotnet run --project bench/MineRefine.Bench -c Release -- <mode> [options]
// Each mode writes a Markdown result file under bench/results/ with the command that produced it.
using MineRefine.Bench;

var mode = args.Length > 0 ? args[0].ToLowerInvariant() : "";
switch (mode)
{
    case "ann": return AnnBench.Run(args[1..]);
    case "encoder": return EncoderBench.Run(args[1..]);
    case "encoder-profile": return EncoderProfile.Run(args[1..]);
    case "gemm": return GemmProbe.Run(args[1..]);
    case "train-throughput": return TrainBench.Run(args[1..]);
    case "labeler": return LabelerBench.Run(args[1..]);
    case "scaleout": return ScaleOutBench.Run(args[1..]);
    case "onnx-export": return OnnxExportBench.Run(args[1..]);
    default:
        Console.Error.WriteLine("usage: MineRefine.Bench <mode> [options]\nmodes: ann, encoder, encoder-profile, gemm, train-throughput, labeler, scaleout, onnx-export");
        return 2;
}
