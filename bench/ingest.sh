#!/usr/bin/env bash
# Webhook-ingest benchmark: `vayu serve` and (when present) the Probot baseline
# (MODE=persist) driven side by side in the same run by wrk with
# bench/ingest-load.lua (signed real payload, a unique X-GitHub-Delivery per
# request). Prints deliveries/s, p50/p99, CPU per delivery by thread name,
# VmRSS idle and VmHWM under load, and the vayu ÷ Probot ratios.
#
# Usage: bench/ingest.sh            env: RUNS=3 DURATION=10 CONC=32 THREADS=2 WARMUP=3
#        DATABASE_URL (default: a fresh SQLite file in a temp dir; `memory:` for the non-durable queue)
#        SHARED (default ../shared next to the repo, else /work/shared)  SKIP_PROBOT=1
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
[ -d "$SHARED/bench" ] || SHARED=/work/shared
RUNS="${RUNS:-3}" DURATION="${DURATION:-10}" CONC="${CONC:-32}" THREADS="${THREADS:-2}" WARMUP="${WARMUP:-3}"
SECRET="bench-secret-$RANDOM$RANDOM"
PAYLOAD="$ROOT/tests/fixtures/github/webhooks/issues.labeled.1.json"
WORK="$(mktemp -d)"
DB_URL="${DATABASE_URL:-sqlite://$WORK/vayu.db}"
VAYU_PORT=3211 PROBOT_PORT=3212
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${KEEP_LOGS:-}" ] && cp "$WORK"/*.log "$KEEP_LOGS"/ 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 3; }
status_kb() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }
wait_port() { for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.2; done; return 1; }
SIG="sha256=$(openssl dgst -sha256 -hmac "$SECRET" < "$PAYLOAD" | awk '{print $NF}')"

load() { # load URL SECONDS -> "rps p50 p99 errors"
  local nonce out
  nonce="$(openssl rand -hex 4)"
  out="$(timeout $(( $2 + 30 )) wrk -t "$THREADS" -c "$CONC" -d "${2}s" --latency --timeout 10s \
    -s "$ROOT/bench/ingest-load.lua" "$1" -- "$PAYLOAD" "$SIG" issues "$nonce" | grep '^WRKRESULT')"
  awk '{for(i=2;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
        print v["rps"], v["p50_ms"], v["p99_ms"], v["status_errors"]+v["connect"]+v["read"]+v["write"]+v["timeout"]}' <<<"$out"
}

TICK="$(getconf CLK_TCK)"
threads_cpu() { # threads_cpu PID -> "name ticks" per thread name (user + system)
  for t in /proc/"$1"/task/*; do
    echo "$(tr ' ' '_' < "$t/comm") $(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0)"
  done | awk '{a[$1]+=$2} END{for(k in a) print k, a[k]}' | sort
}
cpu_per_delivery() { # cpu_per_delivery BEFORE AFTER DELIVERIES -> "name=µs …" (threads over 1 µs)
  join "$1" "$2" | awk -v n="$3" -v tick="$TICK" \
    '{us=($3-$2)/tick*1e6/n; if (us>=1) printf "%s=%.0f ", $1, us}'
}

bench() { # bench NAME PID URL -> lines in $WORK/NAME
  local name="$1" pid="$2" url="$3"
  sleep 1
  echo "idle $(status_kb "$pid" VmRSS)" > "$WORK/$name"
  load "$url" "$WARMUP" >/dev/null
  for i in $(seq 1 "$RUNS"); do
    threads_cpu "$pid" > "$WORK/cpu.before"
    read -r rps p50 p99 err < <(load "$url" "$DURATION")
    threads_cpu "$pid" > "$WORK/cpu.after"
    echo "run $rps $p50 $p99 $err $(status_kb "$pid" VmRSS)" >> "$WORK/$name"
    echo "  $name run $i: rps=$rps p50_ms=$p50 p99_ms=$p99 errors=$err" >&2
    echo "    CPU µs per delivery by thread: $(cpu_per_delivery "$WORK/cpu.before" "$WORK/cpu.after" \
      "$(awk -v r="$rps" -v d="$DURATION" 'BEGIN{print int(r*d)}')")" >&2
  done
  echo "hwm $(status_kb "$pid" VmHWM)" >> "$WORK/$name"
}

median() { sort -n | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { awk -v c="$2" '$1=="run"{print $c}' "$WORK/$1" | median; }

echo "building vayu (release)…" >&2
(cd "$ROOT" && cargo build --release --quiet)
# App credentials so `serve` leaves setup mode: a throwaway key, never used by ingest.
openssl genrsa -out "$WORK/app-key.pem" 2048 2>/dev/null
"$ROOT/target/release/vayu" serve --private-key-path "$WORK/app-key.pem" --bind "127.0.0.1:$VAYU_PORT" --database-url "$DB_URL" \
  --webhook-secret "$SECRET" --app-id 1 --log-format json > "$WORK/vayu.log" 2>&1 &
VAYU_PID=$!; PIDS+=("$VAYU_PID")
wait_port "$VAYU_PORT" || { cat "$WORK/vayu.log" >&2; exit 1; }
echo "vayu serve (pid $VAYU_PID, --database-url $DB_URL):" >&2
bench vayu "$VAYU_PID" "http://127.0.0.1:$VAYU_PORT/webhook"
kill -TERM "$VAYU_PID"; wait "$VAYU_PID" || true

HAVE_PROBOT=0
if [ -z "${SKIP_PROBOT:-}" ] && [ -d "$SHARED/bench/probot-baseline" ]; then
  # Run from a cached copy so shared/ is never written to (npm ci, keys, data).
  PB="${TMPDIR:-/tmp}/vayu-bench-probot"; mkdir -p "$PB"
  (cd "$SHARED/bench/probot-baseline" && cp package.json package-lock.json server.js start.sh "$PB/")
  (cd "$PB" && MODE=persist WEBHOOK_SECRET="$SECRET" RESET_DB=1 DB_PATH="$WORK/probot.sqlite" \
     exec ./start.sh "$PROBOT_PORT") > "$WORK/probot.log" 2>&1 &
  PROBOT_PID=$!; PIDS+=("$PROBOT_PID")
  wait_port "$PROBOT_PORT" || { cat "$WORK/probot.log" >&2; exit 1; }
  echo "Probot (MODE=persist, pid $PROBOT_PID):" >&2
  bench probot "$PROBOT_PID" "http://127.0.0.1:$PROBOT_PORT/api/github/webhooks"
  HAVE_PROBOT=1
fi

printf '\n%-8s %12s %9s %9s %7s %13s %14s\n' server "deliveries/s" p50_ms p99_ms errors "RSS idle MiB" "VmHWM load MiB"
for s in vayu $([ $HAVE_PROBOT = 1 ] && echo probot); do
  printf '%-8s %12.0f %9.3f %9.3f %7s %13.1f %14.1f\n' "$s" "$(field $s 2)" "$(field $s 3)" "$(field $s 4)" \
    "$(awk '$1=="run"{e+=$5} END{print e+0}' "$WORK/$s")" \
    "$(awk '$1=="idle"{print $2/1024}' "$WORK/$s")" "$(awk '$1=="hwm"{print $2/1024}' "$WORK/$s")"
done
if [ $HAVE_PROBOT = 1 ]; then
  awk -v vr="$(field vayu 2)" -v pr="$(field probot 2)" -v vp="$(field vayu 4)" -v pp="$(field probot 4)" \
    'BEGIN{printf "\nratios (median of %s runs): throughput vayu/probot = %.1fx (goal >= 10x); p99 vayu/probot = %.3f (goal <= 0.2)\n", '"$RUNS"', vr/pr, vp/pp}'
fi
[ "$DB_URL" = "memory:" ] && echo "NOTE: vayu ran with --database-url memory: (deliveries kept in memory only: the request path without a store, not durable); Probot persists to SQLite. Not a like-for-like durability comparison." || true
