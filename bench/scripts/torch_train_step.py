#!/usr/bin/env python3
"""PyTorch peer for the training-throughput bench: a MiniLM-L6-shaped BERT encoder (6 layers, hidden 384, 12 heads,
FFN 1536, vocab 30522), fp32, fwd + bwd + AdamW on random token ids, same shapes as the TorchSharp side.

Usage: python3 torch_train_step.py --batch 64 --seq 32 --steps 10 --warmup 2 --threads 2
Prints one JSON line: {"framework": "pytorch", "seq_per_s": ..., "step_s": ..., "gflops": ...}
"""
import argparse, json, math, time
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, h, heads, ffn):
        super().__init__()
        self.h, self.heads = h, heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.f1, self.f2 = nn.Linear(h, ffn), nn.Linear(ffn, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, mask_add):
        b, s, h = x.shape
        d = h // self.heads
        def split(t):
            return t.view(b, s, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + mask_add, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.o(ctx))
        return self.ln2(x + self.f2(torch.nn.functional.gelu(self.f1(x))))


class Bert(nn.Module):
    def __init__(self, vocab=30522, h=384, layers=6, heads=12, ffn=1536, maxpos=512):
        super().__init__()
        self.word = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(maxpos, h)
        self.typ = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(Layer(h, heads, ffn) for _ in range(layers))

    def forward(self, ids, mask):
        s = ids.shape[1]
        x = self.ln(self.word(ids) + self.pos(torch.arange(s)).unsqueeze(0) + self.typ(torch.zeros_like(ids)))
        mask_add = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers:
            x = layer(x, mask_add)
        m = mask.unsqueeze(-1).float()
        return (x * m).sum(1) / m.sum(1).clamp(min=1e-9)


def flops_per_step(batch, seq, h=384, layers=6, ffn=1536):
    # matmul FLOPs of one forward: per layer 4 h*h projections + 2 h*ffn, plus attention 2*s*h; x2 per multiply-add;
    # backward = 2x forward.
    per_tok = layers * (2 * (4 * h * h + 2 * h * ffn) + 2 * 2 * seq * h)
    return 3 * per_tok * batch * seq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seq", type=int, default=32)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Bert()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    ids = torch.randint(1000, 30000, (a.batch, a.seq))
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    times = []
    for i in range(a.warmup + a.steps):
        t = time.perf_counter()
        opt.zero_grad()
        emb = model(ids, mask)
        loss = emb.pow(2).sum()
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t)
    times.sort()
    step = times[len(times) // 2]
    print(json.dumps({"framework": "pytorch " + torch.__version__, "batch": a.batch, "seq": a.seq,
                      "threads": a.threads, "step_s": step, "seq_per_s": a.batch / step,
                      "gflops": flops_per_step(a.batch, a.seq) / step / 1e9}))


if __name__ == "__main__":
    main()
