#!/usr/bin/env python3
"""Pool a paired comparison over several seeds.

Each argument is LABEL:A:B, two `minerefine eval` output folders (their per_query.csv) of the same test queries,
e.g. one seed's re-labeled and assumed-negative stage 2. Per query the differences A - B of every seed are averaged, then the mean over queries is tested with a two-sided sign-flip randomisation
test (10,000 flips) and a paired bootstrap percentile interval (2,000 resamples), seed 13. Queries skipped in any
run (no relevant item) or missing from one are left out and counted.

    python3 bench/scripts/pooled_seeds.py 13:/tmp/s9/ev-s2-rn1:/tmp/s4/ev-s2norelabel 7:/tmp/s9/s7/ev-rl:/tmp/s9/s7/ev-nr
"""
import csv
import random
import sys

METRICS = ["ndcg@10", "ndcg@100", "recall@100"]


def load(folder):
    rows = {}
    with open(folder + "/per_query.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["skipped"] != "true":
                rows[r["query_id"]] = r
    return rows


def main(args):
    if not args:
        print(__doc__)
        return 2
    pairs = [a.split(":", 2) for a in args]
    runs = [(label, load(a), load(b)) for label, a, b in pairs]
    for metric in METRICS:
        per_query = {}
        for label, a, b in runs:
            d = {q: float(a[q][metric]) - float(b[q][metric]) for q in a if q in b}
            print(f"{label} {metric}: {len(d)} queries, mean A - B {sum(d.values()) / len(d):+.4f}")
            for q, x in d.items():
                per_query.setdefault(q, []).append(x)
        xs = [sum(v) / len(v) for v in per_query.values() if len(v) == len(runs)]
        left_out = len(per_query) - len(xs)
        obs = sum(xs) / len(xs)
        rng = random.Random(13)
        flips = 10000
        extreme = sum(1 for _ in range(flips)
                      if abs(sum(x if rng.random() < 0.5 else -x for x in xs) / len(xs)) >= abs(obs) - 1e-12)
        boots = sorted(sum(xs[rng.randrange(len(xs))] for _ in xs) / len(xs) for _ in range(2000))
        print(f"pooled over {len(runs)} seeds {metric}: {len(xs)} queries ({left_out} not in every run), "
              f"mean {obs:+.4f}, 95% CI [{boots[50]:+.4f}, {boots[1949]:+.4f}], p {(extreme + 1) / (flips + 1):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
