#!/usr/bin/env bash
# The demo's time and gain on fresh data folders: `ecominsight up --data-dir DIR` then
# `ecominsight demo`, N times (default 5), each from an empty folder; prints one line a run and a
# summary (runs that promoted a model with a gain, and the time range).
#   bash bench/bench_demo.sh [N]
set -u
cd "$(dirname "$0")/.."
runs=${1:-5}
out=$(mktemp)
for n in $(seq 1 "$runs"); do
  d=$(mktemp -d)/data
  .venv/bin/ecominsight up --data-dir "$d" > "$d.up.log" 2>&1 &
  upid=$!
  for _ in $(seq 1 120); do sleep 2; grep -q "EcomInsight is up" "$d.up.log" 2>/dev/null && break; done
  start=$(date +%s)
  timeout 900 .venv/bin/ecominsight demo --data-dir "$d" > "$d.demo.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  gain=$(grep -o 'gain [0-9.-]*' "$d.demo.log" | head -1 | cut -d' ' -f2)
  echo "run $n: exit $rc, ${secs}s, gain ${gain:-none} ($d.demo.log)" | tee -a "$out"
  kill -INT "$upid"; wait "$upid" 2>/dev/null
done
ok=$(grep -c "exit 0" "$out")
times=$(grep -o ', [0-9]*s,' "$out" | tr -dc '0-9\n' | sort -n)
echo "demo succeeded (a model promoted with a gain) in $ok of $runs runs; time $(echo "$times" | head -1)-$(echo "$times" | tail -1) s"
