// MineRefine benchmarks. Usage: dotnet run --project bench/MineRefine.Bench -c Release -- <mode> [options]
// Each mode writes a Markdown result file under bench/results/ with the command that produced it.
Console.Error.WriteLine("usage: MineRefine.Bench <mode> [options]");
return 2;
