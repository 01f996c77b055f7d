#!/usr/bin/env python3
"""Does the Home Depot catalog's order say how often a product was judged?

Lucene (the BM25 retriever) breaks equal scores by index order, which is the catalog file's order. This prints, per
tenth of the catalog in file order, the share of products with at least one public judgment and the mean number of
judgments per product. Usage: homedepot-id-order.py ../shared/data/homedepot   (reads, never copies, the data)
"""
import collections, csv, gzip, os, sys

folder = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/homedepot"
with gzip.open(os.path.join(folder, "judgments-public.csv.gz"), "rt", encoding="latin-1") as f:
    judged = collections.Counter(row["product_uid"] for row in csv.DictReader(f))
with gzip.open(os.path.join(folder, "products.csv.gz"), "rt", encoding="latin-1") as f:
    order = [row["product_uid"] for row in csv.DictReader(f)]
n = len(order)
print("| tenth of the catalog (file order) | product ids | judged share | judgments per product |")
print("|---|---|---|---|")
for t in range(10):
    part = order[t * n // 10:(t + 1) * n // 10]
    counts = [judged.get(p, 0) for p in part]
    print(f"| {t + 1} | {part[0]}–{part[-1]} | {sum(c > 0 for c in counts) / len(part):.3f} | {sum(counts) / len(part):.2f} |")
