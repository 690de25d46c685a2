#!/usr/bin/env bash
# On a lent GPU machine, after device.sh's setup: runs every line of the job file ($1) as one few-shot run, $2 at
# a time, each capped at $3 seconds; the last line of each run (its JSON) goes to $OUT/results.jsonl, logs to
# $OUT/logs.tar.gz. Call it again with the same job file (while the machine is still held) to go on: finished
# jobs are skipped, and LiST runs resume after their last finished round (--state-dir).
jobs=$1; par=$2; cap=$3
mkdir -p /tmp/res /tmp/state
i=0
while read -r line; do
  [ -z "$line" ] && continue
  i=$((i+1)); echo "$line" > /tmp/res/job$i.args
done < "$jobs"
ls /tmp/res/*.args | xargs -P "$par" -I{} bash -c 'case "$(tail -1 {}.log 2>/dev/null)" in "{"*) exit 0;; esac; a=$(cat {}); timeout '"$cap"' $NODE $G/fewshot.mjs --data $G/data/$a --state-dir /tmp/state --json > {}.log 2>&1; echo "$(date +%T) done {} rc=$?"'
for f in /tmp/res/*.args; do l=$(tail -1 $f.log); case "$l" in "{"*) echo "$l";; *) echo "{\"failed\":\"$(cat $f)\"}";; esac; done > $OUT/results.jsonl
tar -C /tmp/res -czf $OUT/logs.tar.gz .
grep -c failed $OUT/results.jsonl || true
