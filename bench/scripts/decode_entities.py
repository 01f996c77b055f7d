#!/usr/bin/env python3
"""Writes copies of the Home Depot files with HTML entities decoded (&amp; -> &, &#39; -> ', &quot; -> ") in the
product titles and search terms, for the entity ablation in bench/results/homedepot-retrieval.md.
Usage: python3 bench/scripts/decode_entities.py ../shared/data/homedepot /tmp/hd-decoded
The output folder must be outside the repository: the data has no open licence and is never copied into it."""
import csv, gzip, html, os, sys

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name, text_columns in (("products.csv.gz", (1,)), ("judgments-public.csv.gz", (2, 3))):
    with gzip.open(os.path.join(src, name), "rt", encoding="latin-1", newline="") as f:
        rows = list(csv.reader(f))
    changed = 0
    with gzip.open(os.path.join(dst, name), "wt", encoding="latin-1", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for i, row in enumerate(rows):
            new = [html.unescape(c) if i > 0 and j in text_columns else c for j, c in enumerate(row)]
            changed += new != row
            w.writerow(new)
    print(f"{name}: {len(rows) - 1} rows, {changed} changed")
