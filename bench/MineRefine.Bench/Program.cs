using MineRefine.Bench;

var mode = args.Length > 0 ? args[0].ToLowerInvariant() : "";
switch (mode)
{
    case "ann": return AnnBench.Run(args[1..]);
    default:
        Console.Error.WriteLine("usage: MineRefine.Bench <mode> [options]\nmodes: ann");
        return 2;
}
