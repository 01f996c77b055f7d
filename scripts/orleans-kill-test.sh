#!/usr/bin/env bash
# Kill test for the Orleans batch jobs, multi-process, loopback only:
#   1 Garnet server (Orleans membership via Microsoft.Orleans.Clustering.Redis), 3 silo processes, 1 client that runs
#   an encode job of ITEMS texts in shards of SHARD; silo 2 is killed with SIGKILL mid-job. The job must finish and
#   its checksum must equal the single-process result ("IDENTICAL"). Only processes started here are stopped.
# Usage: scripts/orleans-kill-test.sh [ITEMS=4000] [SHARD=50] [DELAY_MS=300] [KILL_AFTER_S=4]
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-4000}; SHARD=${2:-50}; DELAY_MS=${3:-300}; KILL_AFTER=${4:-4}
WORK=$(mktemp -d /tmp/mr-orleans-kill.XXXXXX)
GPORT=${GARNET_PORT:-16379}
dotnet build src/MineRefine.ScaleOut.Silo -c Release -v q -nologo >/dev/null
BIN="dotnet src/MineRefine.ScaleOut.Silo/bin/Release/net10.0/linux-x64/MineRefine.ScaleOut.Silo.dll"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_for() { for _ in $(seq 1 120); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done; echo "timeout waiting for '$2' in $1"; cat "$1"; exit 1; }

$BIN garnet --port "$GPORT" --dir "$WORK/garnet" >"$WORK/garnet.log" 2>&1 & PIDS+=($!)
wait_for "$WORK/garnet.log" "garnet listening"
for i in 1 2 3; do
  $BIN silo --garnet "127.0.0.1:$GPORT" --port $((11110 + i)) --gateway $((30000 + i)) --delay-ms "$DELAY_MS" >"$WORK/silo$i.log" 2>&1 & PIDS+=($!)
  eval "SILO$i=$!"
done
for i in 1 2 3; do wait_for "$WORK/silo$i.log" "silo up"; done
echo "3 silos up (pids ${PIDS[*]:1}); starting job of $ITEMS items in shards of $SHARD"
$BIN encode --garnet "127.0.0.1:$GPORT" --items "$ITEMS" --shard-size "$SHARD" --results "$WORK/results" --job kill-test \
  --concurrency 3 --attempts 10 --shard-timeout-s 20 >"$WORK/client.log" 2>&1 & CLIENT=$!
sleep "$KILL_AFTER"
echo "shard files before kill: $(ls "$WORK/results/kill-test" 2>/dev/null | grep -c '\.emb$' || true)"
kill -9 "$SILO2"; echo "killed silo 2 (pid $SILO2) at $(date +%T)"
wait "$CLIENT" && rc=0 || rc=$?
cat "$WORK/client.log"
echo "client exit code $rc; logs in $WORK"
exit $rc
