#!/usr/bin/env bash
# bench/run.sh - the harness behind `make bench` and `make bench-quick`.
#
#   bench/run.sh full|quick --pwgend BIN --ceiling BIN --genbench BIN \
#                --work DIR --out FILE
#
# Starts every target on 127.0.0.1 (free ports), drives it with wrk, and
# writes a Markdown report (throughput, latency, peak RSS, ratios against
# their targets) to FILE and to stdout. Method and meaning: bench/README.md.
#
# Rules this script keeps: all traffic goes to 127.0.0.1; every wait, wrk
# run and curl is bounded in time; it stops only the processes it started,
# by pid (the EXIT trap stops whatever is still running).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=${BENCH_SHARED:-$REPO/../shared}
PY=/usr/bin/python3            # the peer runs on Debian's system Python

# =============================================================== arguments

usage() {
	echo "usage: $0 full|quick --pwgend BIN --ceiling BIN --genbench BIN" \
	     "--work DIR --out FILE" >&2
	exit 2
}

[[ $# -ge 1 ]] || usage
MODE=$1
shift
PWGEND='' CEILING='' GENBENCH='' WORK='' OUT=''
while [[ $# -ge 2 ]]; do
	case $1 in
	--pwgend) PWGEND=$2 ;;
	--ceiling) CEILING=$2 ;;
	--genbench) GENBENCH=$2 ;;
	--work) WORK=$2 ;;
	--out) OUT=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[[ $# -eq 0 && -n $PWGEND && -n $CEILING && -n $GENBENCH && -n $WORK &&
   -n $OUT ]] || usage
for bin in "$PWGEND" "$CEILING" "$GENBENCH"; do
	[[ -x $bin ]] || { echo "bench: $bin is not built" >&2; exit 1; }
done
PWGEND=$(realpath "$PWGEND")
CEILING=$(realpath "$CEILING")
GENBENCH=$(realpath "$GENBENCH")

# Settings. The machine has 2 cores shared by server, wrk and other users, so
# runs are short, repeated and interleaved, and we report medians.
case $MODE in
full)
	REPS=5          # interleaved runs per target and request
	DUR=2           # seconds per wrk run
	WARM=1          # seconds of warm-up per target (node: twice that)
	GEN_REPS=5 GEN_MS=200
	FAIR_REPS=3 STRICT_REPS=3 MEM_DUR=5
	SCALING=1 INSTALL=1 PY_HUGE=1 MAKE_TARGET=bench
	;;
quick)
	REPS=1 DUR=1 WARM=1
	GEN_REPS=3 GEN_MS=100
	FAIR_REPS=1 STRICT_REPS=1 MEM_DUR=2
	SCALING=0 INSTALL=0   # peers only if already installed
	MAKE_TARGET=bench-quick
	PY_HUGE=0             # ~1 s per request: too slow for a quick run
	;;
*) usage ;;
esac
SMALL_WRK="-t2 -c32"            # quantity <= 100
LARGE_WRK="-t2 -c8"             # quantity 10000
PY_LARGE_WRK="-t1 -c1"          # the Python peer needs ~1 s per 10000
PY_LARGE_DUR=$(( DUR > 3 ? DUR : 3 ))
FAIR_WRK="-t1 -c4"              # the small requests in the fairness test
STRICT_WRK="-t1 -c4"            # /livez in the strict-policy stall test
# A strict policy: at least 9 digits in 20 characters from 62 accepts one
# candidate in ~445, so a reply of 677 passwords (15 kB) draws ~6 MB.
STRICT_QUERY="/password?length=20&min_digits=9&quantity=677"
STRICT_CLIENTS=(2 8)            # background connections looping on it
MEM_WRK="-t2 -c256"             # the memory test: 256 huge requests in flight
WRK_TIMEOUT=10s                 # so slow replies still count in percentiles

START_TIME=$SECONDS
RAW=$WORK/raw
RUNS=$WORK/runs.tsv             # one line per wrk run
SUMMARY=$WORK/summary.tsv       # medians per target and request
NOTES=$WORK/notes.txt           # skipped peers and other remarks
REPORT=$WORK/report.md
mkdir -p "$WORK" "$RAW"
WORK=$(realpath "$WORK")
rm -f "$RAW"/*.txt "$RUNS" "$SUMMARY" "$NOTES" "$REPORT"
: > "$NOTES"

note() { echo "$*" >> "$NOTES"; echo "bench: $*" >&2; }
say() { echo "bench: $*" >&2; }

# ====================================================== processes we start

STARTED=()      # pids of servers and load loops, stopped by pid at exit

# True while pid is a live (not zombie) process.
alive() {
	local state
	state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" \
		2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

# Pids whose parent is $1 (node's cluster workers). This kernel may lack
# /proc/PID/task/TID/children, so scan /proc (builtins only: no forks).
children_of() {
	local f rest ppid
	for f in /proc/[0-9]*/stat; do
		{ read -r rest < "$f"; } 2>/dev/null || continue
		rest=${rest##*) }
		read -r _ ppid _ <<< "$rest"
		if [[ $ppid == "$1" ]]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}

# SIGTERM, wait up to 6 s (pwgend drains for up to 5 s), then SIGKILL.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 60; i++)); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# Stop a server and, for node's cluster, the workers it forked.
stop_server() {
	local pid=$1 kids kid
	kids=$(children_of "$pid")
	stop_pid "$pid"
	for kid in $kids; do
		if alive "$kid"; then
			kill -TERM "$kid" 2>/dev/null || true
		fi
	done
	forget "$pid"
}

# Drop a pid from STARTED (stopped, or reaped by `wait`: never signal it).
forget() {
	local left=() p
	for p in "${STARTED[@]}"; do
		[[ $p == "$1" ]] || left+=("$p")
	done
	STARTED=("${left[@]}")
}

cleanup() {
	local pid
	for pid in "${STARTED[@]}"; do
		stop_server "$pid"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on, below the ephemeral range (where client
# sockets, ours or anyone's, could hold it). Not reused within a run.
USED_PORTS=" "
free_port() {
	local p i lo=32768 hi
	read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range || true
	((lo > 12000)) || lo=32768
	for ((i = 0; i < 100; i++)); do
		p=$((10000 + RANDOM % (lo - 10000)))
		[[ $USED_PORTS == *" $p "* ]] && continue
		if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			USED_PORTS+="$p "
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Wait until $2 answers 200, at most $3 seconds; fails if pid $1 died.
wait_ready() {
	local pid=$1 url=$2 limit=$3 deadline=$((SECONDS + $3))
	while ((SECONDS < deadline)); do
		alive "$pid" || return 1
		curl -sf -o /dev/null --max-time 1 "$url" && return 0
		sleep 0.1
	done
	say "$url not ready after ${limit}s"
	return 1
}

# start_server NAME READY_PATH TIMEOUT CMD... : start CMD on a free port
# and wait until READY_PATH answers. The port is passed as PORT in the
# environment and replaces the word {PORT} in CMD. Another process may grab
# the port between our check and the bind, so a start is tried 3 times.
# Sets SERVER_PID and SERVER_PORT (not printed: a server started inside
# $(...) would not be our child). Output goes to $WORK/NAME.log.
SERVER_PID='' SERVER_PORT=''
start_server() {
	local name=$1 path=$2 limit=$3 pid port try arg cmd
	shift 3
	SERVER_PID='' SERVER_PORT=''
	for try in 1 2 3; do
		port=$(free_port)
		cmd=()
		for arg in "$@"; do
			cmd+=("${arg//\{PORT\}/$port}")
		done
		PORT=$port "${cmd[@]}" < /dev/null > "$WORK/$name.log" 2>&1 &
		pid=$!
		STARTED+=("$pid")
		if wait_ready "$pid" "http://127.0.0.1:$port$path" "$limit"
		then
			SERVER_PID=$pid SERVER_PORT=$port
			return 0
		fi
		say "$name did not start (try $try); last lines of" \
		    "$WORK/$name.log:"
		tail -n 3 "$WORK/$name.log" >&2 || true
		stop_server "$pid"
	done
	return 1
}

# ============================================================ measurement

# The processes that make up a server: node's primary has 2 workers.
NODE_KIDS=
server_pids() {
	echo "$1"
	if [[ $1 == "${NODE_PID:-}" ]]; then
		echo "$NODE_KIDS"
	fi
}

# Peak RSS in kB of a server (node's processes are summed: an upper bound,
# since each peaked at its own moment).
peak_rss_kb() {
	local total=0 p kb
	for p in $(server_pids "$1"); do
		kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" \
			2>/dev/null || true)
		total=$((total + ${kb:-0}))
	done
	echo "$total"
}

# Reset the peak-RSS mark so that it covers the next run only
# (clear_refs "5", Linux >= 4.0; our own processes, so allowed).
reset_peak_rss() {
	local p
	for p in $(server_pids "$1"); do
		echo 5 > "/proc/$p/clear_refs" 2>/dev/null || true
	done
}

# CPU time per thread of a process, "tid nanoseconds" lines (the first
# field of schedstat: time spent on a CPU).
thread_cpu_ns() {   # PID
	local t ns
	for t in /proc/"$1"/task/*; do
		{ read -r ns _ < "$t/schedstat"; } 2> /dev/null || continue
		echo "${t##*/} $ns"
	done
}

# Each loop's share of a core between a thread_cpu_ns snapshot and now,
# busiest first, e.g. "97/3" (the main thread, tid = pid, is left out).
loop_cpu() {   # PID BEFORE_SNAPSHOT START_EPOCHREALTIME
	local now=$EPOCHREALTIME
	thread_cpu_ns "$1" | awk -v pid="$1" \
		-v secs="$(awk -v a="$3" -v b="$now" 'BEGIN { print b - a }')" '
	NR == FNR { before[$1] = $2; next }
	$1 != pid && secs > 0 {
		pct[++n] = ($2 - before[$1]) / 1e7 / secs
	}
	END {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && pct[j - 1] < pct[j]; j--) {
				t = pct[j]; pct[j] = pct[j - 1]; pct[j - 1] = t
			}
		for (i = 1; i <= n; i++)
			printf "%s%.0f", (i > 1 ? "/" : ""), pct[i]
		print ""
	}' <(printf '%s\n' "$2") -
}

# wrk prints latencies as 367.00us, 1.50ms, 1.02s or 2.00m: to ms.
# Fields: req/s, p50 ms, p99 ms, non-2xx/3xx, socket errors, requests,
# max ms.
parse_wrk() {
	awk '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /s$/) return v * 1000
		if (v ~ /m$/) return v * 60000
		return v + 0
	}
	$1 == "50%" { p50 = ms($2) }
	$1 == "Latency" && mx == "" { mx = ms($4) }
	$1 == "99%" { p99 = ms($2) }
	/^Requests\/sec:/ { rps = $2 }
	/requests in/ { reqs = $1 }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ {
		gsub(/,/, "")
		sock = $4 + $6 + $8 + $10
	}
	END {
		printf "%s\t%.3f\t%.3f\t%d\t%d\t%d\t%.3f\n", rps + 0, p50,
			p99, bad, sock, reqs, mx
	}' "$1"
}

# wrk_run OUTFILE DURATION WRKARGS URL [EXTRA...]: bounded in time.
wrk_run() {
	local out=$1 dur=$2 args=$3 url=$4
	shift 4
	# shellcheck disable=SC2086  # args is a word list on purpose
	timeout $((dur + 30)) wrk $args -d"${dur}s" --latency \
		--timeout "$WRK_TIMEOUT" "$@" "$url" < /dev/null > "$out" 2>&1 ||
		true
}

quantity_of() {
	local q=${1##*quantity=}
	[[ $1 == *quantity=* ]] || q=1
	echo "${q%%&*}"
}

# measure TARGET PID PORT QUERY REP WRKARGS DURATION: one run -> $RUNS.
# runs.tsv: target query rep wrk quantity rps p50 p99 non2xx sock requests
#           rss_kb max_ms
measure() {
	local target=$1 pid=$2 port=$3 query=$4 rep=$5 args=$6 dur=$7
	local out q fields rss
	out="$RAW/${target}_$(echo "$query" | tr -c 'a-z0-9\n' '_')_r$rep.txt"
	q=$(quantity_of "$query")
	reset_peak_rss "$pid"
	wrk_run "$out" "$dur" "$args" "${SCHEME:-http}://127.0.0.1:$port$query"
	rss=$(peak_rss_kb "$pid")
	fields=$(parse_wrk "$out")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$query" \
		"$rep" "$args -d${dur}s" "$q" "$(cut -f1-6 <<< "$fields")" \
		"$rss" "$(cut -f7 <<< "$fields")" >> "$RUNS"
	say "$(printf '%-8s %-26s run %s: %10.1f req/s' "$target" "$query" \
		"$rep" "$(cut -f1 <<< "$fields")")"
}

# Medians per target and request, in the order first measured.
# summary.tsv: target query wrk n rps items p50 p99 rss_kb non2xx sock
#              rps_min rps_max max_ms
summarize() {
	awk -F'\t' -v OFS='\t' '
	function med(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		lo = a[1]; hi = a[n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		k = $1 SUBSEP $2
		if (!(k in n)) { order[++keys] = k; wrk[k] = $4 }
		n[k]++; q[k] = $5
		rps[k] = rps[k] " " $6; p50[k] = p50[k] " " $7
		p99[k] = p99[k] " " $8; mx[k] = mx[k] " " $13
		bad[k] += $9; sock[k] += $10
		if ($12 + 0 > rss[k] + 0) rss[k] = $12
	}
	END {
		for (i = 1; i <= keys; i++) {
			k = order[i]; split(k, tq, SUBSEP)
			r = med(rps[k]); rmin = lo; rmax = hi
			print tq[1], tq[2], wrk[k], n[k], r, r * q[k],
				med(p50[k]), med(p99[k]), rss[k], bad[k],
				sock[k], rmin, rmax, med(mx[k])
		}
	}' "$RUNS" > "$SUMMARY"
}

# get TARGET QUERY COLUMN: one median from summary.tsv ("" if absent).
get() {
	awk -F'\t' -v t="$1" -v q="$2" -v c="$3" \
		'$1 == t && $2 == q { print $c; exit }' "$SUMMARY" 2>/dev/null
}

# ================================================================ set-up

ensure_tools() {
	local need=()
	command -v wrk > /dev/null || need+=(wrk)
	command -v curl > /dev/null || need+=(curl)
	if ((INSTALL)) && [[ -d $SHARED/peers/fastapi_seed ]] &&
	   ! "$PY" -c 'import fastapi, uvicorn' 2> /dev/null; then
		need+=(python3-fastapi python3-uvicorn)
	fi
	((${#need[@]})) || return 0
	say "installing ${need[*]} (apt-get)"
	if [[ $(id -u) -ne 0 ]]; then
		echo "bench: need ${need[*]}; install them or run as root" >&2
		exit 1
	fi
	timeout 300 apt-get update -qq
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq \
		--no-install-recommends "${need[@]}" > "$WORK/apt.log"
}

PW_PID='' PW_PORT='' CE_PID='' CE_PORT=''
PYP_PID='' PYP_PORT='' NODE_PID='' NODE_PORT=''

start_pwgend() {   # NAME [EXTRA FLAGS...]: sets SERVER_PID, SERVER_PORT
	local name=$1
	shift
	start_server "$name" /healthz 10 "$PWGEND" --port '{PORT}' \
		--bind 127.0.0.1 --access-log off "$@"
}

# How many event loops pwgend runs with its defaults (one per usable CPU):
# its pwgend_loops gauge, else what nproc says (affinity only).
PW_LOOPS='' PW_LOOPS_FROM=''
read_pwgend_loops() {   # PORT
	PW_LOOPS=$(curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
		awk '$1 == "pwgend_loops" { print $2 + 0; exit }' || true)
	PW_LOOPS_FROM="pwgend_loops metric"
	if ! [[ $PW_LOOPS =~ ^[1-9][0-9]*$ ]]; then
		PW_LOOPS=$(nproc)
		PW_LOOPS_FROM="nproc (no pwgend_loops metric)"
		note "pwgend's /metrics has no pwgend_loops gauge: the ceiling" \
		     "runs nproc = $PW_LOOPS threads."
	fi
}

# The ceiling serves, for each request, the bytes pwgend sent for it, with
# as many threads as pwgend has loops.
start_ceiling() {
	local routes=() query file
	mkdir -p "$WORK/bodies"
	for query in "${QUERIES[@]}" /livez; do
		file="$WORK/bodies/$(echo "$query" | tr -c 'a-z0-9\n' '_').json"
		curl -sf --max-time 10 -o "$file" "http://127.0.0.1:$PW_PORT$query"
		routes+=("$query" "$file")
	done
	start_server ceiling "${QUERIES[0]}" 10 \
		"$CEILING" --port '{PORT}' --workers "$PW_LOOPS" "${routes[@]}"
	CE_PID=$SERVER_PID CE_PORT=$SERVER_PORT
}

start_python_peer() {
	local dir=$SHARED/peers/fastapi_seed
	if [[ ! -x $dir/run.sh ]]; then
		note "Python peer skipped: $dir/run.sh not found."
		return 0
	fi
	if ! "$PY" -c 'import fastapi, uvicorn' 2> /dev/null; then
		note "Python peer skipped: python3-fastapi/python3-uvicorn" \
		     "not installed (make bench installs them)."
		return 0
	fi
	if PEER_MAX_QUANTITY=10000 PYTHONDONTWRITEBYTECODE=1 \
		start_server python "/password?quantity=1" 20 "$dir/run.sh" \
		--no-access-log; then
		PYP_PID=$SERVER_PID PYP_PORT=$SERVER_PORT
	else
		note "Python peer failed to start (see $WORK/python.log);" \
		     "skipped."
	fi
}

# The node peer runs from a copy in $WORK/node_peer, where its run.sh can
# `npm ci`: as root, its own `[ -w . ]` test would let npm write into the
# read-only ../shared.
start_node_peer() {
	local src=$SHARED/peers/node_peer dir=$WORK/node_peer limit=20 kids='' i
	if [[ ! -x $src/run.sh ]]; then
		note "Node peer skipped: $src/run.sh not found."
		return 0
	fi
	if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
		note "Node peer skipped: node/npm not installed."
		return 0
	fi
	mkdir -p "$dir"
	install -m 644 "$src/package.json" "$src/package-lock.json" \
		"$src/server.js" "$dir/"
	install -m 755 "$src/run.sh" "$dir/"
	if [[ ! -d $dir/node_modules ]]; then
		if ((!INSTALL)); then
			note "Node peer skipped: its node_modules is not" \
			     "installed yet (make bench runs npm ci once)."
			return 0
		fi
		limit=180   # first run: npm ci
	fi
	if ! WORKERS=2 LOG_LEVEL=warn start_server node "/password?quantity=1" \
		"$limit" "$dir/run.sh"; then
		note "Node peer failed to start (see $WORK/node.log); skipped."
		return 0
	fi
	NODE_PID=$SERVER_PID NODE_PORT=$SERVER_PORT
	# The first worker answers before the second listens: wait for both.
	for ((i = 0; i < 50; i++)); do
		kids=$(children_of "$NODE_PID")
		(($(wc -w <<< "$kids") >= 2)) && break
		sleep 0.1
	done
	NODE_KIDS=$(tr '\n' ' ' <<< "$kids")
	sleep 0.5
}

# ============================================================== the runs

QUERIES=("/password?quantity=1" "/password?quantity=100"
	 "/password?quantity=10000" "/pin?quantity=1")

wrk_args_for() {   # TARGET QUERY
	if [[ $(quantity_of "$2") -ge 10000 ]]; then
		[[ $1 == python ]] && echo "$PY_LARGE_WRK" || echo "$LARGE_WRK"
	else
		echo "$SMALL_WRK"
	fi
}

duration_for() {   # TARGET QUERY
	if [[ $1 == python && $(quantity_of "$2") -ge 10000 ]]; then
		echo "$PY_LARGE_DUR"
	else
		echo "$DUR"
	fi
}

# Which targets take part, as "name pid port" lines.
targets() {
	echo "pwgend $PW_PID $PW_PORT"
	echo "ceiling $CE_PID $CE_PORT"
	[[ -z $PYP_PID ]] || echo "python $PYP_PID $PYP_PORT"
	[[ -z $NODE_PID ]] || echo "node $NODE_PID $NODE_PORT"
}

serves() {   # TARGET QUERY: the peers are compared on /password only
	case $1 in
	pwgend | ceiling) return 0 ;;
	python) [[ $2 == /password* ]] &&
		{ ((PY_HUGE)) || [[ $(quantity_of "$2") -lt 10000 ]]; } ;;
	node) [[ $2 == /password* ]] ;;
	esac
}

warm_up() {
	local name pid port secs
	while read -r name pid port; do
		secs=$WARM
		[[ $name == node ]] && secs=$((2 * WARM))   # the JIT
		wrk_run "$RAW/warmup_$name.txt" "$secs" "-t2 -c8" \
			"http://127.0.0.1:$port/password?quantity=100"
	done < <(targets)
}

# A, B, C, D per request, request after request, REPS times: any slow
# phase of the machine hits every target alike.
run_main() {
	local rep query name pid port
	for ((rep = 1; rep <= REPS; rep++)); do
		for query in "${QUERIES[@]}"; do
			while read -r name pid port; do
				serves "$name" "$query" || continue
				measure "$name" "$pid" "$port" "$query" "$rep" \
					"$(wrk_args_for "$name" "$query")" \
					"$(duration_for "$name" "$query")"
			done < <(targets)
		done
	done
}

run_genbench() {
	say "genbench (quantity 10000, $GEN_REPS reps)"
	timeout 120 "$GENBENCH" --quantity 10000 --reps "$GEN_REPS" \
		--min-ms "$GEN_MS" > "$WORK/genbench.tsv"
}

# After a background load: wait (at most 5 s) until pwgend's schedulers
# are empty, so that jobs left over by clients that went away do not slow
# down the next (idle) run.
settle() {   # PORT
	local i depth
	for ((i = 0; i < 50; i++)); do
		depth=$(curl -s --max-time 1 "http://127.0.0.1:$1/metrics" |
			awk '$1 == "pwgend_scheduler_queue_depth" { print $2 }' ||
			true)
		[[ ${depth:-0} == 0 ]] && return 0
		sleep 0.1
	done
	say "pwgend still has $depth jobs queued after 5 s"
}

# A loop of huge requests until killed or DEADLINE; one status per line.
huge_loop() {   # URL SECONDS OUTFILE
	local url=$1 end=$((SECONDS + $2)) out=$3 cpid=
	trap '[[ -z $cpid ]] || kill "$cpid" 2>/dev/null; exit 0' TERM
	while ((SECONDS < end)); do
		curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' \
			"$url" >> "$out" &
		cpid=$!
		wait "$cpid" || true
		cpid=
	done
}

# p99 of quantity=1 requests, idle vs while 2 loops of quantity=100000 run.
# Control: the ceiling's p99 under the same background load (the loops still
# hit pwgend), i.e. what CPU contention alone costs a server doing nothing.
run_fairness() {
	local pid=$1 port=$2 rep loops=() l snap t0
	local small="/password?quantity=1"
	local huge="http://127.0.0.1:$port/password?quantity=100000"
	: > "$WORK/huge_status.txt"
	: > "$WORK/fair_cpu.txt"     # loop CPU shares, one line per run
	for ((rep = 1; rep <= FAIR_REPS; rep++)); do
		measure fair-idle "$pid" "$port" "$small" "$rep" "$FAIR_WRK" "$DUR"
		loops=()
		for l in 1 2; do
			huge_loop "$huge" $((2 * DUR + 10)) \
				"$WORK/huge_status.txt" &
			loops+=("$!")
			STARTED+=("$!")
		done
		# Let the huge jobs get going; each loop's CPU share meanwhile.
		sleep 0.2
		snap=$(thread_cpu_ns "$pid") t0=$EPOCHREALTIME
		sleep 0.5
		loop_cpu "$pid" "$snap" "$t0" >> "$WORK/fair_cpu.txt"
		measure fair-load "$pid" "$port" "$small" "$rep" "$FAIR_WRK" "$DUR"
		measure fair-ctrl "$CE_PID" "$CE_PORT" "$small" "$rep" \
			"$FAIR_WRK" "$DUR"
		for l in "${loops[@]}"; do
			stop_server "$l"
		done
		settle "$port"
	done
}

# The strict-policy stall test: p50/p99/max of /livez (nothing to
# generate) idle, and while N connections (STRICT_CLIENTS) ask back to back
# for replies whose policy rejects ~99.8% of the candidates. A loop runs one
# work-bounded slice per job between libmicrohttpd runs, so a small request
# should wait for a few slices at most, not for a whole strict reply.
# Idle and loaded runs alternate; the background wrk runs long enough to
# cover the pwgend run and the control run against the ceiling (same load
# on pwgend, like the fairness control), and its replies are counted.
run_strict() {
	local pid=$1 port=$2 rep n out bg snap t0 shares secs=$((2 * DUR + 2))
	: > "$WORK/strict_bg.tsv"   # clients rep requests non2xx sock secs
	: > "$WORK/strict_cpu.tsv"  # clients rep loop-cpu-shares
	for ((rep = 1; rep <= STRICT_REPS; rep++)); do
		measure strict-idle "$pid" "$port" /livez "$rep" \
			"$STRICT_WRK" "$DUR"
		for n in "${STRICT_CLIENTS[@]}"; do
			out="$RAW/strict_bg_c${n}_r$rep.txt"
			timeout $((secs + 20)) wrk -t1 -c"$n" -d"${secs}s" \
				--timeout "$WRK_TIMEOUT" \
				"http://127.0.0.1:$port$STRICT_QUERY" \
				< /dev/null > "$out" 2>&1 &
			bg=$!
			STARTED+=("$bg")
			# Let the strict jobs fill the loops, and see which
			# loops they landed on (each loop's CPU share).
			sleep 0.2
			snap=$(thread_cpu_ns "$pid") t0=$EPOCHREALTIME
			sleep 0.5
			shares=$(loop_cpu "$pid" "$snap" "$t0")
			snap=$(thread_cpu_ns "$pid") t0=$EPOCHREALTIME
			measure "strict-load$n" "$pid" "$port" /livez "$rep" \
				"$STRICT_WRK" "$DUR"
			printf '%s\t%s\t%s -> %s\n' "$n" "$rep" "$shares" \
				"$(loop_cpu "$pid" "$snap" "$t0")" \
				>> "$WORK/strict_cpu.tsv"
			measure "strict-ctrl$n" "$CE_PID" "$CE_PORT" /livez \
				"$rep" "$STRICT_WRK" "$DUR"
			wait "$bg" 2> /dev/null || true   # until wrk's own -d
			forget "$bg"
			settle "$port"
			printf '%s\t%s\t%s\n' "$n" "$rep" \
				"$(parse_wrk "$out" | awk -F'\t' -v OFS='\t' \
				-v s="$secs" '{ print $6, $4, $5, s }')" \
				>> "$WORK/strict_bg.tsv"
		done
	done
}

# 256 connections asking for quantity=100000 replies (2.3 MB each) at once.
run_memory() {
	local pid=$1 port=$2 health
	measure memory "$pid" "$port" "/password?quantity=100000" 1 \
		"$MEM_WRK -s $HERE/status.lua" "$MEM_DUR"
	health=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' \
		"http://127.0.0.1:$port/healthz" || true)
	if alive "$pid" && [[ $health == 200 ]]; then
		MEM_ALIVE="yes (/healthz 200 afterwards)"
	else
		MEM_ALIVE="NO (alive check failed, /healthz: ${health:-none})"
	fi
}

# HTTPS: quantity=1 over TLS against plain HTTP, two pwgends with the same
# defaults measured interleaved (keep-alive connections, as a client that
# reuses them sees; the handshake is not what this measures). Certificates
# are throwaway ones made here by tests/tls/make-certs.sh.
start_pwgend_tls() {   # CERT KEY: sets SERVER_PID, SERVER_PORT
	local port pid try deadline
	SERVER_PID='' SERVER_PORT=''
	for try in 1 2 3; do
		port=$(free_port)
		"$PWGEND" --port "$port" --bind 127.0.0.1 --access-log off \
			--tls-cert "$1" --tls-key "$2" < /dev/null \
			> "$WORK/pwgend-tls.log" 2>&1 &
		pid=$!
		STARTED+=("$pid")
		deadline=$((SECONDS + 10))
		while ((SECONDS < deadline)) && alive "$pid"; do
			if curl -skf -o /dev/null --max-time 1 \
				"https://127.0.0.1:$port/healthz"; then
				SERVER_PID=$pid SERVER_PORT=$port
				return 0
			fi
			sleep 0.1
		done
		say "pwgend-tls did not start (try $try)"
		stop_server "$pid"
	done
	return 1
}
run_tls() {
	local dir=$WORK/tls plain_pid plain_port rep
	mkdir -p "$dir"
	if ! command -v openssl > /dev/null ||
	   ! sh "$HERE/../tests/tls/make-certs.sh" "$dir" bench \
		> /dev/null 2>&1 ||
	   ! start_pwgend_tls "$dir/bench.pem" "$dir/bench.key"; then
		note "HTTPS skipped: no openssl, or pwgend --tls-cert failed"
		return 0
	fi
	TLS_PID=$SERVER_PID TLS_PORT=$SERVER_PORT
	start_pwgend pwgend-plain
	plain_pid=$SERVER_PID plain_port=$SERVER_PORT
	SCHEME=https wrk_run "$RAW/warmup_tls.txt" "$WARM" "-t2 -c32" \
		"https://127.0.0.1:$TLS_PORT/password?quantity=1"
	for ((rep = 1; rep <= REPS; rep++)); do
		measure http "$plain_pid" "$plain_port" "/password?quantity=1" \
			"$rep" "-t2 -c32" "$DUR"
		SCHEME=https measure https "$TLS_PID" "$TLS_PORT" \
			"/password?quantity=1" "$rep" "-t2 -c32" "$DUR"
	done
	stop_server "$TLS_PID"
	stop_server "$plain_pid"
}

# The scaling curve: items/s against quantity for one loop and for two
# (the default on 2 CPUs), both started at once and measured interleaved,
# one run each. scale<i> is SCALE_CFGS[i].
SCALE_QS=(1 10 100 1000 10000 100000)
SCALE_DUR=2
SCALE_CFGS=("--loops 1" "--loops 2")
scale_index() {   # FLAGS: the index of that configuration, or "none"
	local i
	for i in "${!SCALE_CFGS[@]}"; do
		[[ ${SCALE_CFGS[i]} == "$1" ]] && { echo "$i"; return 0; }
	done
	echo none
}
run_scaling() {
	local pids=() ports=() i q port args conns
	for i in "${!SCALE_CFGS[@]}"; do
		# shellcheck disable=SC2086  # the flags are words on purpose
		start_pwgend "scale$i" ${SCALE_CFGS[i]}
		pids[i]=$SERVER_PID
		ports[i]=$SERVER_PORT
		port=${ports[i]}
		wrk_run "$RAW/warmup_scale$i.txt" "$WARM" "-t2 -c8" \
			"http://127.0.0.1:$port/password?quantity=100"
	done
	for q in "${SCALE_QS[@]}"; do
		case $q in
		1 | 10 | 100) conns=32 ;;
		1000) conns=16 ;;
		10000) conns=8 ;;
		*) conns=4 ;;
		esac
		for i in "${!SCALE_CFGS[@]}"; do
			args="-t2 -c$conns"
			measure "scale$i" "${pids[i]}" "${ports[i]}" \
				"/password?quantity=$q" 1 "$args" "$SCALE_DUR"
		done
	done
	for i in "${!pids[@]}"; do
		stop_server "${pids[i]}"
	done
}

# ================================================================ report

fmt_num() {   # thousands separators, no decimals
	LC_ALL=C awk -v v="$1" 'BEGIN {
		if (v == "") { print "n/a"; exit }
		s = sprintf("%.0f", v); out = ""
		while (length(s) > 3) {
			out = "," substr(s, length(s) - 2) out
			s = substr(s, 1, length(s) - 3)
		}
		print s out
	}'
}

fmt_rps() {   # one decimal below 100 req/s (the slow peers)
	if awk -v v="$1" 'BEGIN { exit !(v != "" && v < 100) }'; then
		printf '%.1f\n' "$1"
	else
		fmt_num "$1"
	fi
}

# One ratio row: DESCRIPTION NUMERATOR DENOMINATOR OP TARGET [UNIT]
# OP is >= or <=; TARGET "" means "for information". With UNIT the value
# is A/B printed as an amount ("41.2 MiB") instead of a ratio.
ratio_row() {
	awk -v d="$1" -v a="$2" -v b="$3" -v op="$4" -v t="$5" -v u="${6:-}" '
	BEGIN {
		tt = t == "" ? "-" : op " " t (u == "" ? "" : " " u)
		if (a == "" || b == "" || b + 0 == 0) {
			printf "| %s | n/a | %s | SKIP |\n", d, tt
			exit
		}
		r = a / b
		if (u != "") v = sprintf("%.1f %s", r, u)
		else if (r >= 10) v = sprintf("%.0fx", r)
		else v = sprintf("%.2f", r)
		if (t == "") { printf "| %s | %s | - | info |\n", d, v; exit }
		ok = (op == ">=") ? r >= t + 0 : r <= t + 0
		printf "| %s | %s | %s | %s |\n", d, v, tt, ok ? "PASS" : "MISS"
	}'
}

# A yes/no row: DESCRIPTION VALUE TARGET OK(1|0)
check_row() {
	printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" \
		"$([[ $4 == 1 ]] && echo PASS || echo MISS)"
}

machine_section() {
	local cc_ver py_ver node_ver fastify gp git_rev
	cc_ver=$(${CC:-cc} --version 2> /dev/null | head -n 1 || true)
	py_ver=$("$PY" -c 'import sys, fastapi, uvicorn; print("python %d.%d.%d, fastapi %s, uvicorn %s" % (sys.version_info[:3] + (fastapi.__version__, uvicorn.__version__)))' 2> /dev/null || echo "not installed")
	node_ver=$(node --version 2> /dev/null || echo "not installed")
	fastify=$(node -p "require('$WORK/node_peer/node_modules/fastify/package.json').version" 2> /dev/null || echo "?")
	gp=$(node -p "require('$WORK/node_peer/node_modules/generate-password/package.json').version" 2> /dev/null || echo "?")
	git_rev=$(git -C "$REPO" rev-parse --short HEAD 2> /dev/null || echo "?")
	if [[ -n $(git -C "$REPO" status --porcelain -- src include 2> /dev/null) ]]; then
		git_rev+=" (+ uncommitted changes in src/ or include/)"
	fi
	cat <<-EOF
	## Machine

	| | |
	|---|---|
	| date | $(date -u '+%Y-%m-%d %H:%M UTC') |
	| cores (nproc) | $(nproc) |
	| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) |
	| memory | $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |
	| kernel | $(uname -sr) |
	| load average (1 min) before / after | $LOAD_BEFORE / $(cut -d' ' -f1 /proc/loadavg) |
	| compiler | $cc_ver |
	| libraries | libmicrohttpd $(pkg-config --modversion libmicrohttpd), jansson $(pkg-config --modversion jansson), libsodium $(pkg-config --modversion libsodium) |
	| wrk | $(dpkg-query -W -f '${Version}' wrk 2> /dev/null || echo "?") |
	| pwgend | git $git_rev |
	| Python peer | $py_ver |
	| Node peer | node $node_ver, fastify $fastify, generate-password $gp, WORKERS=2 |
	EOF
}

settings_section() {
	cat <<-EOF
	## Settings

	- mode \`$MODE\`: $REPS interleaved run(s) of ${DUR} s per target and
	  request after a ${WARM} s warm-up; medians reported. wrk (2 threads)
	  runs on the same 2 cores as the servers.
	- wrk: \`$SMALL_WRK\` for quantity 1 and 100, \`$LARGE_WRK\` for 10000
	  (Python peer: \`$PY_LARGE_WRK -d${PY_LARGE_DUR}s\`), \`--timeout $WRK_TIMEOUT --latency\`.
	- pwgend: \`--bind 127.0.0.1 --access-log off\`, defaults otherwise:
	  $PW_LOOPS event loops (one per usable CPU; from the $PW_LOOPS_FROM),
	  each a thread with its own libmicrohttpd daemon (external epoll) and
	  scheduler; quantum 16384, window 64.
	- ceiling: \`--workers $PW_LOOPS\`, libmicrohttpd's thread pool with
	  epoll, as many threads as pwgend has loops.
	- Passwords are 20 characters from 62 (\`/password\` defaults); PINs 6 digits.
	- Peak RSS: VmHWM of the server, reset before each run (max over runs);
	  for node, primary + 2 workers summed (each peaks at its own moment,
	  so this is an upper bound).
	EOF
}

main_table() {
	echo "## Throughput and latency (median of $REPS)"
	echo
	echo "| target | request | wrk | req/s | items/s | p50 ms | p99 ms | peak RSS MiB | non-2xx | socket errors | req/s min-max |"
	echo "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
	awk -F'\t' '$1 ~ /^(pwgend|ceiling|python|node)$/' "$SUMMARY" |
	while IFS=$'\t' read -r t q w _ rps items p50 p99 rss bad sock lo hi _; do
		# shellcheck disable=SC2016  # backquotes are Markdown here
		printf '| %s | `%s` | `%s` | %s | %s | %.2f | %.2f | %.1f | %s | %s | %s-%s |\n' \
			"$t" "$q" "$w" "$(fmt_rps "$rps")" "$(fmt_num "$items")" \
			"$p50" "$p99" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
			"$bad" "$sock" "$(fmt_rps "$lo")" "$(fmt_rps "$hi")"
	done
}

genbench_table() {
	cat <<-EOF
	## Raw generator (genbench, one core, quantity 10000, median of $GEN_REPS)

	Rates per CPU second of the benchmark thread (a per-core rate even when
	other processes steal the core); wall-clock rate for comparison.

	| stage | what it runs | items/s per core | MB/s of output | items/s wall |
	|---|---|--:|--:|--:|
	EOF
	awk -F'\t' 'NR > 1' "$WORK/genbench.tsv" |
	while IFS=$'\t' read -r stage cpu mb wall; do
		case $stage in
		gen) what="gen_sample() of 20 chars" ;;
		render) what="gen + render_item() into the reply" ;;
		task) what="task_step() to completion: gather + render" ;;
		*) what=$stage ;;
		esac
		printf '| %s | %s | %s | %s | %s |\n' "$stage" "$what" \
			"$(fmt_num "$cpu")" "$mb" "$(fmt_num "$wall")"
	done
}

gen_rate() {   # STAGE: items/s per core
	awk -F'\t' -v s="$1" '$1 == s { print $2 }' "$WORK/genbench.tsv"
}

ratios_table() {
	local q1='/password?quantity=1' q100='/password?quantity=100' sock n
	local q10k='/password?quantity=10000' pin='/pin?quantity=1'
	echo "## Ratios"
	echo
	echo "| ratio | value | target | verdict |"
	echo "|---|--:|--:|---|"
	ratio_row "pwgend / ceiling, req/s, quantity=1" \
		"$(get pwgend "$q1" 5)" "$(get ceiling "$q1" 5)" ">=" 0.9
	ratio_row "pwgend / ceiling, req/s, quantity=100" \
		"$(get pwgend "$q100" 5)" "$(get ceiling "$q100" 5)" ">=" 0.75
	ratio_row "pwgend / ceiling, req/s, quantity=10000" \
		"$(get pwgend "$q10k" 5)" "$(get ceiling "$q10k" 5)" ">=" ""
	ratio_row "pwgend / ceiling, req/s, /pin quantity=1" \
		"$(get pwgend "$pin" 5)" "$(get ceiling "$pin" 5)" ">=" ""
	ratio_row "pwgend items/s at 10000 / one core's raw gen+render rate (genbench render)" \
		"$(get pwgend "$q10k" 6)" "$(gen_rate render)" ">=" 0.7
	ratio_row "(info) pwgend items/s at 10000 / one core's raw task rate (genbench task)" \
		"$(get pwgend "$q10k" 6)" "$(gen_rate task)" ">=" ""
	# The peers: targets only where the ceiling leaves room (see the
	# (bound) rows); the rest is for information.
	ratio_row "(info) pwgend / Python peer, req/s, quantity=1" \
		"$(get pwgend "$q1" 5)" "$(get python "$q1" 5)" ">=" ""
	ratio_row "(bound) ceiling / Python peer, req/s, quantity=1" \
		"$(get ceiling "$q1" 5)" "$(get python "$q1" 5)" ">=" ""
	ratio_row "(info) pwgend / Python peer, req/s, quantity=100" \
		"$(get pwgend "$q100" 5)" "$(get python "$q100" 5)" ">=" ""
	ratio_row "(bound) ceiling / Python peer, req/s, quantity=100" \
		"$(get ceiling "$q100" 5)" "$(get python "$q100" 5)" ">=" ""
	ratio_row "(info) pwgend / Python peer, items/s, quantity=10000" \
		"$(get pwgend "$q10k" 6)" "$(get python "$q10k" 6)" ">=" ""
	ratio_row "(info) pwgend ($PW_LOOPS loops) / Node peer (2 workers), req/s, quantity=1" \
		"$(get pwgend "$q1" 5)" "$(get node "$q1" 5)" ">=" ""
	ratio_row "(bound) ceiling / Node peer, req/s, quantity=1" \
		"$(get ceiling "$q1" 5)" "$(get node "$q1" 5)" ">=" ""
	ratio_row "(info) pwgend / Node peer, req/s, quantity=100" \
		"$(get pwgend "$q100" 5)" "$(get node "$q100" 5)" ">=" ""
	ratio_row "pwgend / Node peer, items/s, quantity=10000" \
		"$(get pwgend "$q10k" 6)" "$(get node "$q10k" 6)" ">=" 8
	# The same with the scaling curve's run of pwgend at its default
	# loop count (full mode only; not interleaved with node).
	ratio_row "(info) pwgend defaults (\`--loops $PW_LOOPS\`, scaling run) / Node peer (2 workers), items/s, quantity=10000" \
		"$(get "scale$(scale_index "--loops $PW_LOOPS")" "$q10k" 6)" \
		"$(get node "$q10k" 6)" ">=" ""
	ratio_row "fairness: p99 of quantity=1 under huge load, pwgend / ceiling (control, same load)" \
		"$(get fair-load "$q1" 8)" "$(get fair-ctrl "$q1" 8)" "<=" 1.5
	ratio_row "(info) fairness: p99 of quantity=1 under huge load / idle" \
		"$(get fair-load "$q1" 8)" "$(get fair-idle "$q1" 8)" "<=" ""
	for n in "${STRICT_CLIENTS[@]}"; do
		ratio_row "strict policy: p99 of /livez, $n strict clients / idle" \
			"$(get "strict-load$n" /livez 8)" \
			"$(get strict-idle /livez 8)" "<=" 3
	done
	for n in "${STRICT_CLIENTS[@]}"; do
		ratio_row "(info) strict policy: p99 of /livez, $n strict clients, pwgend / ceiling (control, same load)" \
			"$(get "strict-load$n" /livez 8)" \
			"$(get "strict-ctrl$n" /livez 8)" "<=" ""
	done
	ratio_row "(info) HTTPS / HTTP, req/s, quantity=1 (keep-alive)" \
		"$(get https "$q1" 5)" "$(get http "$q1" 5)" ">=" ""
	ratio_row "memory: peak RSS under 256 x quantity=100000" \
		"$(get memory '/password?quantity=100000' 9)" 1024 "<=" 64 MiB
	ratio_row "(info) memory: peak RSS, streamed / built whole (--stream-min-bytes off)" \
		"$(get memory '/password?quantity=100000' 9)" \
		"$(get memory-whole '/password?quantity=100000' 9)" "<=" ""
	ratio_row "(info) memory: req/s under that load, streamed / built whole" \
		"$(get memory '/password?quantity=100000' 5)" \
		"$(get memory-whole '/password?quantity=100000' 5)" ">=" ""
	sock=$(get memory '/password?quantity=100000' 11)
	check_row "memory: socket errors (resets, timeouts) under that load" \
		"${sock:-n/a}" "0" "$([[ ${sock:-x} == 0 ]] && echo 1 || echo 0)"
	check_row "memory: server alive, /healthz 200 afterwards" \
		"${MEM_ALIVE%% *}" "yes" \
		"$([[ $MEM_ALIVE == yes* ]] && echo 1 || echo 0)"
}

fairness_section() {
	local q1='/password?quantity=1' completed codes
	completed=$(grep -c '^200$' "$WORK/huge_status.txt" || true)
	codes=$(sort "$WORK/huge_status.txt" | uniq -c |
		awk '{ printf "%s%s x %s", sep, $1, $2; sep = ", " }')
	cat <<-EOF
	## Fairness

	p99 latency of \`/password?quantity=1\` with \`$FAIR_WRK -d${DUR}s\`, idle
	and while two curl loops fetch \`/password?quantity=100000\` (2.3 MB
	each) back to back; idle and loaded runs alternate, $FAIR_REPS each.

	| condition | req/s | p50 ms | p99 ms | max ms | p99 ms per run |
	|---|--:|--:|--:|--:|---|
	$(latency_row idle fair-idle "$q1")
	$(latency_row "2 x quantity=100000 loops" fair-load "$q1")
	$(latency_row "control: the ceiling, same loops on pwgend" fair-ctrl "$q1")

	Medians over the runs (max: the median of each run's maximum). The
	control row is the same small-request test against the ceiling
	($PW_LOOPS threads) while the loops keep pwgend busy: what CPU
	contention on this 2-core machine does to any server. The target is
	on pwgend's loaded p99 / the control's p99 (<= 1.5).

	Huge requests completed during the loaded runs: ${completed:-0}
	(statuses: ${codes:-none}). Each pwgend loop's share of a core (%,
	busiest first) in the 0.5 s before each loaded run, when only the
	curl loops run: $(paste -sd, "$WORK/fair_cpu.txt" | sed 's/,/, /g').
	EOF
}

# One latency table row: LABEL TARGET QUERY (medians from summary.tsv,
# then the p99 of every run from runs.tsv, in run order).
latency_row() {
	printf '| %s | %s | %s | %s | %s | %s |' "$1" \
		"$(fmt_num "$(get "$2" "$3" 5)")" "$(get "$2" "$3" 7)" \
		"$(get "$2" "$3" 8)" "$(get "$2" "$3" 14)" \
		"$(awk -F'\t' -v t="$2" -v q="$3" '$1 == t && $2 == q {
			printf "%s%s", s, $8; s = ", " }' "$RUNS")"
}

strict_section() {
	local n
	cat <<-EOF
	## Strict policy: small requests next to expensive ones

	p50, p99 and max latency of \`/livez\` (no generation) with
	\`$STRICT_WRK -d${DUR}s\`, idle and while a background
	\`wrk -t1 -cN\` asks back to back for
	\`$STRICT_QUERY\` (one candidate in ~445 accepted: ~6 MB drawn per
	15 kB reply), on a fresh pwgend. Idle and loaded runs alternate,
	$STRICT_REPS each; medians. The control rows run the same \`/livez\`
	test against the ceiling ($PW_LOOPS threads) under the same load on
	pwgend. Targets: loaded p99 / idle p99 <= 3 for 2 and 8 clients.

	| condition | req/s | p50 ms | p99 ms | max ms | p99 ms per run |
	|---|--:|--:|--:|--:|---|
	$(latency_row idle strict-idle /livez)
	EOF
	for n in "${STRICT_CLIENTS[@]}"; do
		latency_row "$n strict clients" "strict-load$n" /livez
		echo
		latency_row "control: the ceiling, $n strict clients on pwgend" \
			"strict-ctrl$n" /livez
		echo
	done
	echo
	echo "Strict requests completed by the background clients (all runs):"
	echo
	echo "| clients | replies 2xx | non-2xx | socket errors | replies/s (median run) | loop CPU % per run |"
	echo "|--:|--:|--:|--:|--:|---|"
	for n in "${STRICT_CLIENTS[@]}"; do
		awk -F'\t' -v n="$n" -v cpu="$(awk -F'\t' -v n="$n" \
			'$1 == n { printf "%s%s", s, $3; s = ", " }' \
			"$WORK/strict_cpu.tsv")" '
		$1 == n {
			ok += $3 - $4; bad += $4; sock += $5
			rate[++k] = $6 > 0 ? $3 / $6 : 0
		}
		END {
			for (i = 2; i <= k; i++)
				for (j = i; j > 1 && rate[j - 1] > rate[j]; j--) {
					t = rate[j]; rate[j] = rate[j - 1]; rate[j - 1] = t
				}
			m = k == 0 ? 0 : k % 2 ? rate[(k + 1) / 2] \
				: (rate[k / 2] + rate[k / 2 + 1]) / 2
			printf "| %s | %d | %d | %d | %.1f | %s |\n", n, ok, bad,
				sock, m, cpu
		}' "$WORK/strict_bg.tsv"
	done
	echo
	echo "Loop CPU: each pwgend loop's share of a core (%, busiest first) in"
	echo "the 0.5 s before each loaded run, when only the strict clients run,"
	echo "-> during the loaded \`/livez\` run. A loop serves the connections it"
	echo "accepted (all loops accept on one socket): the first figure shows"
	echo "on which loops the strict clients landed, the second whether the"
	echo "\`/livez\` connections shared a busy loop or had an idle one."
}

memory_section() {
	local m='/password?quantity=100000' statuses
	statuses=$(awk '/^status / { printf "%s%s x %s", sep, $3, $2; sep = ", " }' \
		"$RAW"/memory_*_r1.txt 2> /dev/null || true)
	cat <<-EOF
	## Memory under load

	\`wrk $MEM_WRK -d${MEM_DUR}s\` on \`$m\` against a fresh pwgend
	(defaults: admission budget 48 MiB of replies in flight).

	| peak RSS MiB (VmHWM) | replies | statuses | non-2xx | socket errors (connect+read+write+timeout) | server afterwards |
	|--:|--:|---|--:|--:|---|
	| $(awk -v k="$(get memory "$m" 9)" 'BEGIN { printf "%.1f", k / 1024 }') | $(fmt_num "$(awk -F'\t' -v q="$m" '$1 == "memory" && $2 == q { print $11 }' "$RUNS")") | ${statuses:-n/a} | $(get memory "$m" 10) | $(get memory "$m" 11) | $MEM_ALIVE |

	503s are allowed (admission); resets and crashes are not. wrk closes
	its connections at the end of the run, so requests still in flight
	then are aborted by the client, not the server.
	EOF
}

scaling_section() {
	local q i head='| quantity |' rule='|--:|' row
	local last=$((${#SCALE_CFGS[@]} - 1))
	for i in "${!SCALE_CFGS[@]}"; do
		head+=" \`${SCALE_CFGS[i]}\` |"
		rule+='--:|'
	done
	head+=" ${SCALE_CFGS[-1]#--loops } / ${SCALE_CFGS[0]#--loops } loops |"
	rule+='--:|'
	echo "## Scaling curve (pwgend items/s, one run each, interleaved)"
	echo
	echo "wrk \`-t2\` with \`-c32\` (quantity <= 100), \`-c16\` (1000), \`-c8\` (10000), \`-c4\` (100000), ${SCALE_DUR} s."
	echo
	echo "$head"
	echo "$rule"
	for q in "${SCALE_QS[@]}"; do
		row="| $(fmt_num "$q") |"
		for i in "${!SCALE_CFGS[@]}"; do
			row+=" $(fmt_num "$(get "scale$i" "/password?quantity=$q" 6)") |"
		done
		row+=" $(awk -v a="$(get "scale$last" "/password?quantity=$q" 6)" \
			-v b="$(get scale0 "/password?quantity=$q" 6)" 'BEGIN {
			if (a == "" || b + 0 == 0) print "n/a"
			else printf "%.2f", a / b }') |"
		echo "$row"
	done
	echo
	echo "\`--loops\` is the number of event loops (threads, each with its own libmicrohttpd daemon and scheduler); the default is one per usable CPU, $PW_LOOPS here. wrk runs on the same cores, so two loops cannot double the rate."
}

write_report() {
	{
		echo "# pwgend benchmark results"
		echo
		echo "Written by \`make $MAKE_TARGET\` (bench/run.sh $MODE)" \
		     "in $((SECONDS - START_TIME)) s. Method and how to read this:" \
		     "bench/README.md. Raw wrk output: \`${RAW#"$REPO"/}\`."
		echo
		machine_section
		echo
		settings_section
		echo
		main_table
		echo
		ratios_table
		echo
		genbench_table
		echo
		fairness_section
		echo
		strict_section
		echo
		memory_section
		if ((SCALING)); then
			echo
			scaling_section
		fi
		if [[ -s $NOTES ]]; then
			echo
			echo "## Notes"
			echo
			sed 's/^/- /' "$NOTES"
		fi
	} > "$REPORT"
	cp "$REPORT" "$OUT"
	cat "$REPORT"
}

# ================================================================== main

main() {
	LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
	MEM_ALIVE="not run"
	ensure_tools

	start_pwgend pwgend
	PW_PID=$SERVER_PID PW_PORT=$SERVER_PORT
	read_pwgend_loops "$PW_PORT"
	say "pwgend runs $PW_LOOPS loops ($PW_LOOPS_FROM); so does the ceiling"
	start_ceiling
	if [[ -d $SHARED ]]; then
		start_python_peer
		start_node_peer
	else
		note "Peers skipped: $SHARED is absent (the Python and Node" \
		     "peers live in ../shared/peers)."
	fi

	run_genbench
	say "warm-up"
	warm_up
	run_main

	# The load tests get a fresh pwgend each and a quiet machine (the
	# ceiling stays for the fairness and strict-policy controls).
	for pid in "$PYP_PID" "$NODE_PID" "$PW_PID"; do
		[[ -z $pid ]] || stop_server "$pid"
	done
	local port pid
	start_pwgend pwgend-load
	pid=$SERVER_PID port=$SERVER_PORT
	say "fairness"
	run_fairness "$pid" "$port"
	stop_server "$pid"
	start_pwgend pwgend-strict
	pid=$SERVER_PID port=$SERVER_PORT
	say "strict policy"
	run_strict "$pid" "$port"
	stop_server "$pid"
	stop_server "$CE_PID"
	start_pwgend pwgend-mem
	pid=$SERVER_PID port=$SERVER_PORT
	say "memory"
	run_memory "$pid" "$port"
	stop_server "$pid"
	# the same load with streaming off: every reply built whole first
	start_pwgend pwgend-mem-whole --stream-min-bytes 1099511627776
	pid=$SERVER_PID port=$SERVER_PORT
	say "memory, replies built whole"
	measure memory-whole "$pid" "$port" "/password?quantity=100000" 1 \
		"$MEM_WRK -s $HERE/status.lua" "$MEM_DUR"
	stop_server "$pid"

	say "HTTPS"
	run_tls
	if ((SCALING)); then
		say "scaling curve"
		run_scaling
	fi
	summarize
	write_report
	say "done in $((SECONDS - START_TIME)) s; report in $OUT"
}

main
