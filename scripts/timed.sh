#!/usr/bin/env bash
# Runs one step of `make test` and says how long it took; `timed.sh --summary` prints every step of this run
# and the total. The log lives in target/, so a clean clone starts a new one.
set -euo pipefail
log=${STEP_LOG:-target/make-test-steps.log}
mkdir -p "$(dirname "$log")"

if [ "${1:-}" = --start ]; then
  date +%s >"$log"
  exit 0
fi
if [ "${1:-}" = --summary ]; then
  started=$(head -n1 "$log")
  printf '[time] %-10s %s\n' step 'min:s'
  tail -n +2 "$log" | while read -r step seconds; do
    printf '[time] %-10s %d:%02d\n' "$step" $((seconds / 60)) $((seconds % 60))
  done
  total=$(($(date +%s) - started))
  printf '[time] %-10s %d:%02d\n' total $((total / 60)) $((total % 60))
  exit 0
fi

step=$1
shift
start=$(date +%s)
status=0
"$@" || status=$?
seconds=$(($(date +%s) - start))
if [ "$status" -ne 0 ]; then
  printf '[time] %s failed after %d:%02d\n' "$step" $((seconds / 60)) $((seconds % 60))
  exit "$status"
fi
echo "$step $seconds" >>"$log"
printf '[time] %s took %d:%02d\n' "$step" $((seconds / 60)) $((seconds % 60))
