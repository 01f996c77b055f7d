#!/usr/bin/env python3
"""How many product titles are longer than a token budget? A re-implementation of the model's lower-casing BERT
tokenizer (basic split on white space and punctuation, accents stripped, greedy longest-match WordPiece over the
model folder's vocab.txt), [CLS] and [SEP] counted. Used for "Longer item inputs at evaluation time" in
bench/results/stage1-homedepot.md. Usage: title-token-lengths.py PRODUCTS_CSV_GZ VOCAB_TXT
(Home Depot's products.csv.gz, Latin-1; read in place, never copied)."""
import csv, gzip, sys, unicodedata

products, vocab_path = sys.argv[1], sys.argv[2]
vocab = set(l.rstrip("\n") for l in open(vocab_path, encoding="utf-8"))


def is_punct(c):
    o = ord(c)
    return unicodedata.category(c).startswith("P") or 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126


def basic(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    words, cur = [], ""
    for c in text:
        if c.isspace() or is_punct(c):
            if cur:
                words.append(cur)
            cur = ""
            if is_punct(c):
                words.append(c)
        else:
            cur += c
    if cur:
        words.append(cur)
    return words


def wordpieces(word):
    if len(word) > 100:
        return 1
    n, start = 0, 0
    while start < len(word):
        end = len(word)
        while start < end and (word[start:end] if start == 0 else "##" + word[start:end]) not in vocab:
            end -= 1
        if start == end:
            return 1  # [UNK] for the whole word
        n, start = n + 1, end
    return n


with gzip.open(products, "rt", encoding="latin-1") as f:
    lengths = sorted(sum(wordpieces(w) for w in basic(r["product_title"])) + 2 for r in csv.DictReader(f))
n = len(lengths)
for budget in (24, 32, 40, 48, 64):
    print(f"longer than {budget} tokens: {sum(1 for x in lengths if x > budget) / n:.2%}")
print(f"titles {n}, median {lengths[n // 2]}, 95th percentile {lengths[int(n * 0.95)]}, max {lengths[-1]}")
