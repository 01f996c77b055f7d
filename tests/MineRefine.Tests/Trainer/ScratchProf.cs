using System.Diagnostics;
using MineRefine.Losses;
using MineRefine.Training;
using TorchSharp;
using static TorchSharp.torch;
namespace MineRefine.Tests.Trainer;
public sealed class ScratchProf
{
    [Fact]
    public void Prof()
    {
        if (Environment.GetEnvironmentVariable("MR_PROF") is null) return;
        torch.set_num_threads(1);
        using var model = TrainModelFactory.Create(Environment.GetEnvironmentVariable("MR_PROF")!, 3);
        var enc = model.Encoder; enc.train();
        using var loss = LossFactory.Create("supcon");
        var opt = torch.optim.AdamW(enc.parameters().Concat(loss.TrainableParameters), 1e-3);
        var texts = TrainerTestUtil.Sample.Value.Data.Products.Take(64).Select(p => p.Title).ToList();
        var sw = new Stopwatch[5].Select(_ => new Stopwatch()).ToArray();
        for (int it = 0; it < 10; it++)
        {
            using var scope = NewDisposeScope();
            sw[0].Start();
            var q = MineRefine.Text.Tokenization.TokenBatch.Pad(texts.Take(8).Select(t => model.Tokenizer.Encode(t, 16)).ToList(), 0).ToTensors();
            var i = MineRefine.Text.Tokenization.TokenBatch.Pad(texts.Select(t => model.Tokenizer.Encode(t, 32)).ToList(), 0).ToTensors();
            sw[0].Stop(); sw[1].Start();
            var qe = enc.EncodeQueries(q.InputIds, q.AttentionMask);
            var ie = enc.EncodeItems(i.InputIds, i.AttentionMask).view(8, 8, -1);
            var s = (ie * qe.unsqueeze(1)).sum(-1);
            var g = torch.tensor(Enumerable.Range(0, 64).Select(x => (long)(x % 3)).ToArray(), new long[] { 8, 8 });
            sw[1].Stop(); sw[2].Start();
            var (l, bd) = loss.Compute(s, g);
            sw[2].Stop(); sw[3].Start();
            opt.zero_grad(); l.backward();
            sw[3].Stop(); sw[4].Start();
            nn.utils.clip_grad_norm_(enc.parameters(), 1.0);
            opt.step();
            sw[4].Stop();
        }
        Console.WriteLine("PROF tok/fwd/loss/bwd/opt ms: " + string.Join(" ", sw.Select(x => x.ElapsedMilliseconds / 10.0)));
    }
}
