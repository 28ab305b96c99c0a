#!/usr/bin/env bash
# The demo's time and both gains on fresh data folders: `ecominsight up --data-dir DIR` then
# `ecominsight demo`, N times (default 5), each from an empty folder. Prints one row a run
# (preference match with the owners' held-out corrections: the template's -> the promoted
# model's, with the gain's interval and the number of held-out corrections; understanding accuracy
# on held-out labelled questions: the vocabulary's -> the learned lexicon's; taught words on new
# questions no label held: correct / refused / wrong; the demo's time) and a summary line.
#   bash bench/bench_demo.sh [N]
#   bash bench/bench_demo.sh --smoke     # one run: what CI runs (tests/bench/test_smoke.py)
set -u
cd "$(dirname "$0")/.."
runs=${1:-5}
[ "$runs" = "--smoke" ] && runs=1
out=$(mktemp)
echo "| run | exit | preference match (template -> model) | understanding accuracy (vocabulary -> learned) | held-out labels | taught words on new questions | time |"
echo "|---|---|---|---|---|---|---|"
for n in $(seq 1 "$runs"); do
  d=$(mktemp -d)/data
  .venv/bin/ecominsight up --data-dir "$d" > "$d.up.log" 2>&1 &
  upid=$!
  for _ in $(seq 1 120); do sleep 2; grep -q "EcomInsight is up" "$d.up.log" 2>/dev/null && break; done
  start=$(date +%s)
  timeout 900 .venv/bin/ecominsight demo --data-dir "$d" > "$d.demo.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  line=$(tr '\n' ' ' < "$d.demo.log" | grep -o 'demo summary: .*time [0-9]*s' | tail -1)  # one line, even if wrapped
  pm=$(echo "$line" | sed -n 's/.*preference_match \([^ ]*\) -> \([^ ]*\) (gain \([^)]*\)).*/\1 -> \2 (gain \3)/p')
  ua=$(echo "$line" | sed -n 's/.*understanding_accuracy \([^ ]*\) -> \([^ ]*\) (gain \([^,]*\), \([0-9]*\) held-out.*/\1 -> \2 (gain \3)|\4/p')
  tw=$(echo "$line" | sed -n 's/.*taught_words \([^;]*\);.*/\1/p')
  echo "| $n | $rc | ${pm:-none} | ${ua%%|*} | ${ua##*|} | ${tw:-none} | ${secs} s |" | tee -a "$out"
  kill -INT "$upid"; wait "$upid" 2>/dev/null
done
ok=$(grep -c "^| [0-9]* | 0 |" "$out")
times=$(grep -o '| [0-9]* s |' "$out" | tr -dc '0-9\n' | sort -n)
echo
echo "demo succeeded (a model promoted with a gain, a lexicon learned with a gain) in $ok of $runs runs; time $(echo "$times" | head -1)-$(echo "$times" | tail -1) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
