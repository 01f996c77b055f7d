#!/usr/bin/env bash
# Load test of `minerefine serve` on loopback with wrk (Debian package `wrk`): QPS and p50/p99 latency per search
# mode, error counts, and the same during an index reload (POST /v1/admin/reload every 2 s while wrk runs).
# Usage: bench/scripts/load-test.sh <index dir> [duration seconds] [connections] > bench/results/load.md
# Requests are bounded by the duration; traffic goes only to 127.0.0.1.
set -euo pipefail
index="${1:?usage: load-test.sh <index dir> [seconds] [connections]}"
secs="${2:-20}"
conns="${3:-8}"
port=5187
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
dotnet build "$root/src/MineRefine.Cli" -c Release -v q -nologo >/dev/null
cli="$root/src/MineRefine.Cli/bin/Release/net10.0/linux-x64/MineRefine.Cli.dll"
export MINEREFINE_API_KEY="load-test-key"
dotnet "$cli" serve --index "$index" --urls "http://127.0.0.1:$port" --api-key-scope admin >/tmp/mr-load-serve.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = "200" ] && break
  sleep 1
done
# Queries rotate through a small list so that both tokens and cache behaviour are realistic.
cat >/tmp/mr-load.lua <<'LUA'
local queries = {"cordless drill", "deck screws", "outdoor led flood light", "white interior paint", "pvc pipe 2 inch",
  "bathroom vanity 36", "garden hose", "ceiling fan with light", "wood glue", "kitchen faucet brushed nickel"}
local mode = os.getenv("MODE") or "hybrid"
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]:gsub(" ", "%%20")
  return wrk.format("GET", "/v1/search?q=" .. q .. "&k=10&mode=" .. mode)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.1f %.2f %.2f %d %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.timeout))
end
LUA
echo "# Load test: minerefine serve on loopback"
echo
echo "Command: \`bench/scripts/load-test.sh $index $secs $conns\` (wrk, 2 threads, $conns connections, ${secs}s per run, k=10; $(nproc) cores shared by server and load generator; load average at start: $(cut -d' ' -f1 /proc/loadavg))."
echo
echo "Index: \`$index\` ($(python3 -c "import json;d=json.load(open('$index/index.json'));print(d['products'],'products,',d['vector_index'],'d='+str(d['dimension']))"))."
echo
echo "| mode | requests | errors | QPS | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|"
for mode in bm25 dense hybrid; do
  line=$(MODE=$mode wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s /tmp/mr-load.lua "http://127.0.0.1:$port" | grep '^RESULT')
  read -r _ req err qps p50 p99 _ _ <<<"$line"
  echo "| $mode | $req | $err | $qps | $p50 | $p99 |"
done
# The same (hybrid) while the index is reloaded every 2 seconds.
( end=$((SECONDS + secs)); n=0; while [ $SECONDS -lt $end ]; do
    curl -s -o /dev/null -X POST -H "X-Api-Key: $MINEREFINE_API_KEY" "http://127.0.0.1:$port/v1/admin/reload"; n=$((n+1)); sleep 2; done; echo $n >/tmp/mr-load-reloads ) &
reloader=$!
out=$(MODE=hybrid wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s /tmp/mr-load.lua "http://127.0.0.1:$port" 2>&1 || true)
wait "$reloader"
line=$(grep '^RESULT' <<<"$out" || true)
[ -n "$line" ] || { echo "wrk during reloads printed no result:" >&2; echo "$out" >&2; }
read -r _ req err qps p50 p99 _ _ <<<"$line"
echo "| hybrid during reloads ($(cat /tmp/mr-load-reloads) reloads) | $req | $err | $qps | $p50 | $p99 |"
