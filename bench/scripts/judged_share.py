#!/usr/bin/env python3
"""Share of each run's top-k that is judged (and judged relevant) for the query.

Each argument is a `minerefine eval` output folder (run.trec, qrels.trec). Judged-only metrics count every unjudged
retrieved product as irrelevant; this shows how much of a top-k they actually grade.

    python3 bench/scripts/judged_share.py /tmp/s10/ev-bm25 /tmp/s10/ev-arctic0 [--k 10]
"""
import collections
import sys


def main(args):
    k = 10
    if "--k" in args:
        i = args.index("--k")
        k = int(args[i + 1])
        args = args[:i] + args[i + 2:]
    if not args:
        print(__doc__)
        return 2
    for folder in args:
        qrels = collections.defaultdict(dict)
        with open(folder + "/qrels.trec") as f:
            for line in f:
                q, _, d, g = line.split()
                qrels[q][d] = int(g)
        total = judged = relevant = 0
        with open(folder + "/run.trec") as f:
            for line in f:
                q, _, d, rank, _, _ = line.split()
                if int(rank) > k:
                    continue
                total += 1
                if d in qrels[q]:
                    judged += 1
                    relevant += qrels[q][d] > 0
        print(f"{folder}: top {k} judged {judged / total:.3f}, judged relevant {relevant / total:.3f} ({total} retrieved)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
