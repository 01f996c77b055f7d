#!/usr/bin/env python3
"""NDCG@10 of two evaluations split by query type: one word … five words, six or more, with and without a digit.

Usage: python3 bench/scripts/ndcg-by-query-type.py A/per_query.csv B/per_query.csv [METRIC]

A and B are `minerefine eval` output folders' per-query files over the same split (e.g. BM25 and a dense model on
dev). Only queries evaluated in both (skipped = false) count. Prints n, the mean of METRIC (default ndcg@10) for A and
B, and B − A per group. Group means only; test a difference with `minerefine compare`.
"""
import csv
import re
import sys


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {r["query_id"]: r for r in csv.DictReader(f)}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    metric = sys.argv[3] if len(sys.argv) == 4 else "ndcg@10"
    keys = [k for k in a if k in b and a[k]["skipped"] == "false" and b[k]["skipped"] == "false"]
    groups = [("all", lambda q: True),
              ("with a digit", lambda q: re.search(r"\d", q)),
              ("without a digit", lambda q: not re.search(r"\d", q))]
    groups += [(f"{n} word{'s' if n > 1 else ''}", lambda q, n=n: len(q.split()) == n) for n in range(1, 6)]
    groups.append(("6+ words", lambda q: len(q.split()) >= 6))
    print(f"| queries | n | A {metric} | B {metric} | B − A |")
    print("|---|---|---|---|---|")
    for name, pick in groups:
        ks = [k for k in keys if pick(a[k]["query_text"])]
        if not ks:
            continue
        ma = sum(float(a[k][metric]) for k in ks) / len(ks)
        mb = sum(float(b[k][metric]) for k in ks) / len(ks)
        print(f"| {name} | {len(ks)} | {ma:.4f} | {mb:.4f} | {mb - ma:+.4f} |")


if __name__ == "__main__":
    main()
