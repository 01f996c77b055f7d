#!/usr/bin/env bash
# Audit on the sample marketplace at 5%, 10% and 20% injected annotator noise. The re-judge is the noise-free truth
# (file:truth.jsonl), so the figures isolate what the engagement flags catch: precision of the flags (share of flagged
# pairs that were annotator errors), share of all injected errors corrected, label error rate before/after.
# Usage: bench/scripts/audit-noise.sh [sample rate] > bench/results/audit.md
set -euo pipefail
rate="${1:-0.3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$root/src/MineRefine.Cli" -c Release -v q -nologo >/dev/null
cli="dotnet $root/src/MineRefine.Cli/bin/Release/net10.0/linux-x64/MineRefine.Cli.dll"
work="$(mktemp -d)"
echo "# Engagement audit on the sample marketplace"
echo
echo "Command: \`bench/scripts/audit-noise.sh $rate\` (sample: 3,000 products, 600 queries, seed 42; audit sample rate $rate;"
echo "re-judge = the noise-free truth, so the rows measure the flags, not a judge's mistakes)."
echo
echo "| injected noise | judgments | flagged | flag precision | errors corrected | error rate before | error rate after |"
echo "|---|---|---|---|---|---|---|"
for noise in 0.05 0.10 0.20; do
  $cli sample --out "$work/s$noise" --noise "$noise" >/dev/null
  $cli audit --format jsonl --data "$work/s$noise" --judge "file:$work/s$noise/truth.jsonl" --truth "$work/s$noise/truth.jsonl" \
    --sample-rate "$rate" --out "$work/a$noise" --json 2>/dev/null > "$work/a$noise.json"
  python3 - "$noise" "$work/a$noise.json" <<'PY'
import json, sys
noise, path = sys.argv[1], sys.argv[2]
r = json.load(open(path)); t = r["truth"]
print(f"| {float(noise):.0%} | {r['judgments']:,} | {r['flagged']} | {t['flag_precision']:.3f} | {t['errors_corrected_share']:.3f} "
      f"| {t['error_rate_before']:.4f} | {t['error_rate_after']:.4f} |")
PY
done
rm -rf "$work"
