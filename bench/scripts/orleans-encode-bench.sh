#!/usr/bin/env bash
# Encode-job benchmark for the Orleans batch jobs (issue 8), loopback only: 1 Garnet server for membership, N silo
# processes each holding the embedder, 1 client that runs an encode job of ITEMS generated texts in shards of SHARD and
# checks the checksum against the single-process result. Three runs: 1 silo, 3 silos, 3 silos with silo 2 killed
# (SIGKILL) KILL_AFTER_S seconds into the job. Prints one Markdown table row per run; the time lost to the kill is
# the third row's job time minus the second's.
# On a 2-core machine every silo shares the same 2 cores, so "3 silos" is a ceiling on orchestration overhead, not a
# scale-out measurement (each silo's torch uses TORCH_THREADS threads).
# Usage: bench/scripts/orleans-encode-bench.sh [ITEMS=3000] [SHARD=100] [MODEL=minilm] [KILL_AFTER_S=8]
set -euo pipefail
cd "$(dirname "$0")/../.."
ITEMS=${1:-3000}; SHARD=${2:-100}; MODEL=${3:-minilm}; KILL_AFTER=${4:-8}
GPORT=${GARNET_PORT:-16389}
dotnet build src/MineRefine.ScaleOut.Silo -c Release -v q -nologo >/dev/null
BIN="dotnet src/MineRefine.ScaleOut.Silo/bin/Release/net10.0/linux-x64/MineRefine.ScaleOut.Silo.dll"
wait_for() { for _ in $(seq 1 240); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done; echo "timeout waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1; }

run() { # $1 = silos, $2 = kill (0/1)
  local silos=$1 kill=$2 work pids=() silo2=""
  work=$(mktemp -d /tmp/mr-orleans-bench.XXXXXX)
  $BIN garnet --port "$GPORT" --dir "$work/garnet" >"$work/garnet.log" 2>&1 & pids+=($!)
  wait_for "$work/garnet.log" "garnet listening"
  for i in $(seq 1 "$silos"); do
    $BIN silo --garnet "127.0.0.1:$GPORT" --port $((11120 + i)) --gateway $((30010 + i)) --model "$MODEL" >"$work/silo$i.log" 2>&1 & pids+=($!)
    [ "$i" = 2 ] && silo2=$!
  done
  for i in $(seq 1 "$silos"); do wait_for "$work/silo$i.log" "silo up"; done
  $BIN encode --garnet "127.0.0.1:$GPORT" --items "$ITEMS" --shard-size "$SHARD" --results "$work/results" --job bench \
    --model "$MODEL" --concurrency $((silos * 2)) --attempts 10 --shard-timeout-s 120 >"$work/client.log" 2>&1 & local client=$!
  if [ "$kill" = 1 ]; then sleep "$KILL_AFTER"; kill -9 "$silo2"; fi
  local rc=0; wait "$client" || rc=$?
  # Silos first (a silo stopping gracefully updates membership in Garnet), Garnet last; SIGKILL whatever is left.
  for ((j = ${#pids[@]} - 1; j >= 1; j--)); do kill "${pids[j]}" 2>/dev/null || true; done
  for _ in $(seq 1 40); do alive=0; for ((j = 1; j < ${#pids[@]}; j++)); do kill -0 "${pids[j]}" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.5; done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  local line secs retried same
  line=$(grep "job done in" "$work/client.log" || echo "job done in NaN s")
  secs=$(sed -E 's/.*job done in ([0-9.]+|NaN) s.*/\1/' <<<"$line")
  retried=$(sed -E 's/.*shards, ([0-9]+) retried.*/\1/' <<<"$line")
  same=$(grep -qx IDENTICAL "$work/client.log" && echo IDENTICAL || echo DIFFERENT)
  local rate; rate=$(awk -v n="$ITEMS" -v s="$secs" 'BEGIN { if (s == "NaN" || s == 0) print "–"; else printf "%.0f", n / s }')
  echo "| $silos | $([ "$kill" = 1 ] && echo "silo 2 killed at ${KILL_AFTER} s" || echo none) | $secs | $rate | $retried | $same | exit $rc |"
  rm -rf "$work"
}

echo "Orleans encode job: $ITEMS items, shards of $SHARD, model $MODEL, load at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| silos | fault | job seconds | items/s | shards retried | checksum vs single process | client |"
echo "|---|---|---|---|---|---|---|"
run 1 0
run 3 0
run 3 1
