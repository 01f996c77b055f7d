#!/usr/bin/env bash
# Title-crop pre-training (no labels) on the sample marketplace, graded against its complete truth:
# crops -> stage 1 on the crops alone -> ONNX export -> test-split evaluation of the crop model, zero-shot MiniLM and
# BM25, on the judgments and on truth-complete.jsonl -> paired comparisons. Results: bench/results/stage1-homedepot.md
# ("Is the crop gain real relevance …").
# Usage: bench/scripts/crops-sample.sh OUT [SAMPLE_DIR]   (MINEREFINE: the CLI, default `minerefine`)
# Without SAMPLE_DIR it generates the 6,000-product / 2,000-query sample (seed 13) into OUT/sample.
set -euo pipefail
out=${1:?usage: crops-sample.sh OUT [SAMPLE_DIR]}
C=${MINEREFINE:-minerefine}
sample=${2:-$out/sample}
mkdir -p "$out/ev"
[ -f "$sample/truth-complete.jsonl" ] || $C sample --out "$sample" --seed 13 --products 6000 --queries 2000
S=(--format jsonl --data "$sample")
$C crops "${S[@]}" --count 6000 --seed 13 --out "$out/crops"
$C train --stage 1 --format jsonl --data "$out/crops" --model minilm --head-dim 384 --in-batch-negatives --preset quick \
  --head-seed 13 --seed 13 --out "$out/preA"
$C export --model "$out/preA/model" --out "$out/onnx-preA"
for q in judged complete; do
  qrels=(); [ "$q" = complete ] && qrels=(--qrels "$sample/truth-complete.jsonl")
  $C eval "${S[@]}" --split test --retriever dense --model "$out/onnx-preA/model" "${qrels[@]}" --out "$out/ev/crops-$q"
  $C eval "${S[@]}" --split test --retriever dense --model minilm "${qrels[@]}" --out "$out/ev/zeroshot-$q"
  $C eval "${S[@]}" --split test --retriever bm25 "${qrels[@]}" --out "$out/ev/bm25-$q"
  $C compare "$out/ev/zeroshot-$q" "$out/ev/crops-$q" | tee "$out/compare-zeroshot-$q.txt"
  $C compare "$out/ev/bm25-$q" "$out/ev/crops-$q" | tee "$out/compare-bm25-$q.txt"
done
