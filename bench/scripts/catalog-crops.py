#!/usr/bin/env python3
"""Pseudo-queries cropped from product titles: an in-domain pre-training set from a catalog alone (no labels).

For N products drawn at random (seeded), the query is an ordered random subset of 1–4 of the title's words
(lower-cased; length drawn 10 % / 35 % / 35 % / 20 %), judged grade 2 for its own product only. Writes a MineRefine
JSONL data set folder (products.jsonl with the whole catalog, queries.jsonl, judgments.jsonl with source "synthetic")
for `minerefine train --format jsonl --data OUT`. Home Depot's catalog has no licence to copy: write OUT outside the
repository (e.g. /tmp). Usage: catalog-crops.py HD_FOLDER OUT [N=6000] [SEED=13]
"""
import csv, gzip, json, os, random, re, sys

folder, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 6000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 13)
with gzip.open(os.path.join(folder, "products.csv.gz"), "rt", encoding="latin-1") as f:
    products = [(r["product_uid"], r["product_title"]) for r in csv.DictReader(f)]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "products.jsonl"), "w", encoding="utf-8") as f:
    for pid, title in products:
        f.write(json.dumps({"id": pid, "title": title}, ensure_ascii=False) + "\n")
written = 0
with open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as fq, \
        open(os.path.join(out, "judgments.jsonl"), "w", encoding="utf-8") as fj:
    for pid, title in rng.sample(products, n):
        words = [w.strip(",()[]\"") for w in title.lower().split()]
        words = [w for w in words if re.search(r"\w", w)]
        length = min(len(words), rng.choices([1, 2, 3, 4], weights=[10, 35, 35, 20])[0])
        if length == 0:
            continue
        picked = sorted(rng.sample(range(len(words)), length))
        qid = f"crop{written:05d}"
        fq.write(json.dumps({"id": qid, "text": " ".join(words[i] for i in picked)}) + "\n")
        fj.write(json.dumps({"query_id": qid, "product_id": pid, "grade": 2, "source": "synthetic"}) + "\n")
        written += 1
print(f"{len(products)} products, {written} crop queries -> {out}")
