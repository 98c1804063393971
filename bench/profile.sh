#!/usr/bin/env bash
# bench/profile.sh - where does pwgend spend its time? (Not part of make bench.)
#
#   bench/profile.sh PWGEND_BIN [QUANTITY...]     default quantities: 1 10000
#
# For each quantity: start pwgend on a free 127.0.0.1 port, run wrk against
# /password?quantity=Q and sample pwgend with `perf record` (cpu-clock, so it
# works on VMs without hardware counters) for the same seconds, then print
# the top symbols per thread and overall. Output lands in build/bench/profile/.
# Stops only the processes it started, by pid.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 PWGEND_BIN [QUANTITY...]" >&2; exit 2; }
BIN=$(realpath "$1")
shift
QS=("$@")
[[ ${#QS[@]} -gt 0 ]] || QS=(1 10000)
OUTDIR=build/bench/profile
SECS=${PROFILE_SECONDS:-5}
command -v perf > /dev/null || { echo "profile: perf not installed" >&2; exit 1; }
mkdir -p "$OUTDIR"

PID=''
cleanup() {
	if [[ -n $PID ]]; then
		kill -TERM "$PID" 2> /dev/null || true
		wait "$PID" 2> /dev/null || true
	fi
}
trap cleanup EXIT

port=$((20000 + RANDOM % 30000))
for q in "${QS[@]}"; do
	conns=32
	((q < 10000)) || conns=8
	"$BIN" --port "$port" --bind 127.0.0.1 --access-log off \
		> "$OUTDIR/pwgend.log" 2>&1 &
	PID=$!
	for _ in $(seq 50); do
		curl -sf -o /dev/null --max-time 1 \
			"http://127.0.0.1:$port/healthz" && break
		sleep 0.1
	done
	url="http://127.0.0.1:$port/password?quantity=$q"
	timeout 20 wrk -t2 -c"$conns" -d1s "$url" > /dev/null   # warm-up
	timeout $((SECS + 20)) wrk -t2 -c"$conns" -d"$((SECS + 1))s" "$url" \
		> "$OUTDIR/wrk_q$q.txt" &
	wrk_pid=$!
	sleep 0.5
	timeout $((SECS + 20)) perf record -q -e cpu-clock -F 2000 -g \
		-p "$PID" -o "$OUTDIR/perf_q$q.data" -- sleep "$SECS" \
		2> /dev/null || true
	wait "$wrk_pid" || true
	echo "=== quantity=$q: $(awk '/^Requests\/sec/ { print $2 }' \
		"$OUTDIR/wrk_q$q.txt") req/s"
	echo "--- share of samples per thread"
	perf report -i "$OUTDIR/perf_q$q.data" --no-children --sort comm \
		--stdio 2> /dev/null | grep -E '^ +[0-9]' | head -n 5  || true
	echo "--- top symbols (self)"
	perf report -i "$OUTDIR/perf_q$q.data" --no-children \
		--sort comm,dso,sym --stdio -g none 2> /dev/null |
		grep -E '^ +[0-9]' | head -n 25 || true
	kill -TERM "$PID"
	wait "$PID" || true
	PID=''
done
