#!/usr/bin/env bash
# Measures the Action's overhead over a bare step: `vayu action --mode execute`
# with `run: true` against the simulated GitHub, versus `sh -c true`.
# Usage: scripts/bench-action.sh [path/to/vayu]   (needs hyperfine, curl, jq)
set -euo pipefail
cd "$(dirname "$0")/.."
vayu="${1:-target/release/vayu}"
gap="${VAYU_MUTATION_GAP:-0.25}"
work="$(mktemp -d)"
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --quiet --example github-sim
target/debug/examples/github-sim --port 0 >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 50); do grep -q listening "$work/sim.log" && break; sleep 0.1; done
sim="$(sed -n 's/.*listening on //p' "$work/sim.log")"
curl -fsS -X POST "$sim/_sim/repos" -H 'content-type: application/json' -d '{"full_name":"o/r"}' >/dev/null
curl -fsS -X POST "$sim/_sim/tokens" -H 'content-type: application/json' \
  -d '{"token":"tok","login":"github-actions[bot]"}' >/dev/null

# Each run gets a fresh queued issue (an executed one is closed).
cat >"$work/prepare.sh" <<PREP
curl -fsS -X POST "$sim/_sim/issues" -H 'content-type: application/json' \
  -d '{"repo":"o/r","title":"bench","labels":["status:queued"]}' | jq -r .number >"$work/n"
PREP
cat >"$work/run.sh" <<RUN
export GITHUB_REPOSITORY=o/r GITHUB_API_URL="$sim" GITHUB_RUN_ID=1 GITHUB_EVENT_NAME=workflow_dispatch
export GITHUB_OUTPUT="$work/out" GITHUB_STEP_SUMMARY="$work/summary" RUNNER_TEMP="$work"
export INPUT_MODE=execute INPUT_GITHUB_TOKEN=tok INPUT_RUN=true VAYU_MUTATION_GAP="$gap"
INPUT_TASK="\$(cat "$work/n")" exec "$vayu" action >/dev/null
RUN
hyperfine --warmup 2 --runs 20 -N --prepare "sh $work/prepare.sh" "sh -c true" \
  --export-markdown "$work/bare.md" >/dev/null
hyperfine --warmup 2 --runs 20 --prepare "sh $work/prepare.sh" "sh $work/run.sh" \
  --export-markdown "$work/vayu.md"
cat "$work/bare.md" "$work/vayu.md"
