#!/usr/bin/env python3
"""Which ties decide a run's top K? For the queries an `eval` folder marks tied@K (per_query.csv), counts how many
tie between two products with identical titles (the K-th and (K+1)-th of run.trec).
Usage: tied-titles.py EVAL_DIR ../shared/data/homedepot/products.csv.gz [K=10]   (reads, never copies, the data)
"""
import collections, csv, gzip, os, sys, urllib.parse

folder, products = sys.argv[1], sys.argv[2]
k = int(sys.argv[3]) if len(sys.argv) > 3 else 10
with gzip.open(products, "rt", encoding="latin-1") as f:
    titles = {r["product_uid"]: r["product_title"] for r in csv.DictReader(f)}
with open(os.path.join(folder, "per_query.csv"), encoding="utf-8") as f:
    tied = [r["query_id"] for r in csv.DictReader(f) if r.get(f"tied@{k}") not in (None, "", "0")]
run = collections.defaultdict(list)
with open(os.path.join(folder, "run.trec"), encoding="utf-8") as f:
    for line in f:
        qid, _, doc, *_ = line.split()
        run[urllib.parse.unquote(qid)].append(doc)
same = sum(1 for q in tied if titles[run[q][k - 1]] == titles[run[q][k]])
print(f"{folder}: {len(tied)} queries tied at rank {k}; {same} of them between identical titles")
