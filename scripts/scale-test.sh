#!/usr/bin/env bash
# scale-test.sh - scale-out and fail-over check for pwgend, without containers.
#
#   scripts/scale-test.sh            (make scale-test; as root if it must install)
#
# Starts 3 pwgend replicas (build/pwgend, --bind 127.0.0.1 --access-log off,
# each on a free port the kernel picks) and Debian's nginx in front of them
# (a foreground process with its own config, pid file, logs and temp files in
# a temporary directory, on a free 127.0.0.1 port), then:
#
#   1. fail-over: wrk sends load to /password?quantity=10 for FAILOVER_SECS
#      (10) seconds; at KILL_AT (3) seconds one replica is killed with SIGKILL.
#      Every request must still get a valid 200 reply: zero non-2xx, zero
#      socket errors, zero malformed bodies (counted by a wrk Lua script).
#   2. throughput: requests/s through nginx with 1, 2 and 3 replicas, and
#      straight to each replica without nginx, MEASURE_SECS (5) seconds each.
#
# Only 127.0.0.1 is ever contacted; every run is bounded in time; only the
# processes this script started are stopped (by pid). Installs nginx and wrk
# with apt-get if missing. Exits non-zero if the fail-over check fails.
# Environment: FAILOVER_SECS, KILL_AT, MEASURE_SECS, CONNECTIONS (32),
# WRK_THREADS (2), QUANTITY (10).

set -Eeuo pipefail

cd "$(dirname "$0")/.."

FAILOVER_SECS=${FAILOVER_SECS:-10}
KILL_AT=${KILL_AT:-3}
MEASURE_SECS=${MEASURE_SECS:-5}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
QUANTITY=${QUANTITY:-10}
BIN=build/pwgend
NREPLICAS=3

T0=$(date +%s)
log() { printf '[scale-test %3ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf '[scale-test] ERROR: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ tools
NGINX=
find_nginx() {
	NGINX=$(command -v nginx 2>/dev/null || true)
	[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; } || true
}
ensure_tools() {
	local need=()
	find_nginx
	[ -n "$NGINX" ] || need+=(nginx)
	command -v wrk >/dev/null 2>&1 || need+=(wrk)
	command -v curl >/dev/null 2>&1 || need+=(curl)
	[ ${#need[@]} -eq 0 ] && return 0
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	log "installing: ${need[*]}"
	local had_nginx_pid=0
	[ -s /run/nginx.pid ] && had_nginx_pid=1
	if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 \
		install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
		"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq ||
			die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 \
			install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
			die "apt-get install ${need[*]} failed"
	fi
	# Where no policy-rc.d stops it, the package starts a system nginx on
	# port 80: that one was started by this install, so stop it again.
	if [ "$had_nginx_pid" -eq 0 ] && [ -s /run/nginx.pid ] &&
		kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
		log "stopping the system nginx the package install started"
		"${sudo[@]}" /usr/sbin/nginx -s quit 2>/dev/null || true
	fi
	find_nginx
	[ -n "$NGINX" ] || die "nginx not found after installing it"
}

ensure_tools
if [ ! -x "$BIN" ]; then
	log "$BIN missing: running make"
	make --no-print-directory >&2 || die "make failed (try: make deps)"
fi

# ------------------------------------------------------------------ processes
WORK=$(mktemp -d /tmp/pwgend-scale.XXXXXX)
chmod 755 "$WORK"   # nginx workers (user nobody when run as root) read under it
declare -a RPID RPORT
NGINX_PID=
NGINX_PORT=

stop_pid() {  # $1 pid, $2 signal; waits up to 5 s, then SIGKILL
	local pid=$1 sig=${2:-TERM}
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill "-$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	local i
	stop_nginx
	for i in "${!RPID[@]}"; do stop_pid "${RPID[$i]}" TERM; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start replica $1 (0-based); the kernel picks the port (--port 0), read back
# from pwgend's "listening on" line
start_replica() {
	local i=$1 out=$WORK/replica$1.out
	: >"$out"
	"$BIN" --bind 127.0.0.1 --port 0 --access-log off >"$out" 2>"$WORK/replica$i.err" &
	RPID[i]=$!
	for _ in $(seq 1 100); do
		RPORT[i]=$(sed -n 's|^pwgend listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$out")
		[ -n "${RPORT[i]}" ] && break
		kill -0 "${RPID[i]}" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "${RPORT[i]}" ] || { cat "$WORK/replica$i.err" >&2; die "replica $i did not start"; }
	curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:${RPORT[i]}/healthz" ||
		die "replica $i on port ${RPORT[i]} does not answer /healthz"
}

kill_replica() {  # SIGKILL: no draining, connections reset
	kill -KILL "${RPID[$1]}" 2>/dev/null || true
	wait "${RPID[$1]}" 2>/dev/null || true
	RPID[$1]=
}

# A TCP port nothing on this host uses (any state), outside the ephemeral
# range so that outgoing connections (wrk, nginx) cannot take it meanwhile.
free_port() {
	local p lo hi
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	for _ in $(seq 1 100); do
		p=$((20000 + RANDOM % 10000))
		[ "$p" -ge "$lo" ] && [ "$p" -le "$hi" ] && continue
		[ -z "$(ss -Htan "( sport = :$p )")" ] && { echo "$p"; return 0; }
	done
	return 1
}

# nginx in front of replicas "$@" (indexes)
start_nginx() {
	local i servers="" user=""
	for i in "$@"; do
		servers+="        server 127.0.0.1:${RPORT[i]} max_fails=1 fail_timeout=10s;"$'\n'
	done
	[ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
	NGINX_PORT=$(free_port) || die "no free port for nginx"
	cat >"$WORK/nginx.conf" <<EOF
$user
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-client-body;
    proxy_temp_path $WORK/nginx-proxy;
    fastcgi_temp_path $WORK/nginx-fastcgi;
    uwsgi_temp_path $WORK/nginx-uwsgi;
    scgi_temp_path $WORK/nginx-scgi;
    upstream pwgend {
$servers        keepalive 64;
        keepalive_requests 100000;
        keepalive_timeout 9s;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://pwgend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_connect_timeout 500ms;
            proxy_read_timeout 10s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
        }
    }
}
EOF
	"$NGINX" -t -q -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" ||
		die "nginx -t failed on $WORK/nginx.conf"
	"$NGINX" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" \
		-g 'daemon off;' 2>>"$WORK/nginx-stderr.log" &
	NGINX_PID=$!
	for _ in $(seq 1 100); do
		curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$NGINX_PORT/healthz" && return 0
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.05
	done
	tail "$WORK/nginx-error.log" "$WORK/nginx-stderr.log" >&2 || true
	die "nginx did not come up on 127.0.0.1:$NGINX_PORT"
}

stop_nginx() {
	[ -n "$NGINX_PID" ] || return 0
	stop_pid "$NGINX_PID" QUIT    # graceful; the master takes its workers along
	NGINX_PID=
}

# ------------------------------------------------------------------ wrk
# Counts replies per thread: valid = 200 with the expected JSON head.
cat >"$WORK/count.lua" <<EOF
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; non200 = 0; badbody = 0 end
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif body:find('{"kind":"password","quantity":$QUANTITY,"length":20,', 1, true) == 1 then
    ok = ok + 1
  else
    badbody = badbody + 1
  end
end
function done(summary, latency, requests)
  local o, n, b = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); n = n + t:get("non200"); b = b + t:get("badbody")
  end
  io.write(string.format("COUNTS ok=%d non200=%d badbody=%d\n", o, n, b))
end
EOF

# run_wrk PORT SECS OUTFILE -> wrk's output in OUTFILE
run_wrk() {
	timeout $(($2 + 15)) wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${2}s" --timeout 5s --latency \
		-s "$WORK/count.lua" "http://127.0.0.1:$1/password?quantity=$QUANTITY" >"$3" 2>&1 ||
		{ cat "$3" >&2; die "wrk failed"; }
}
rps() { awk '/^Requests\/sec:/{printf "%.0f", $2}' "$1"; }
p99() { awk '$1=="99%"{print $2}' "$1"; }
# non-2xx and socket errors as wrk counts them (lines absent when zero)
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/{n=$NF} END{print n+0}' "$1"; }
wrk_sockerr() {
	awk '/Socket errors:/{gsub(",", ""); n=$4+$6+$8+$10} END{print n+0}' "$1"
}
wrk_total() { awk '/requests in/{print $1}' "$1"; }
counts() { sed -n 's/^COUNTS //p' "$1"; }

# CPU time (clock ticks) used so far by the given pids
HZ=$(getconf CLK_TCK)
ticks() {
	local t=0 p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$t"
}
# CPU use in % of one CPU over MEASURE_SECS, from two ticks() readings
cpu_pct() { awk -v a="$1" -v b="$2" -v hz="$HZ" -v s="$MEASURE_SECS" 'BEGIN{printf "%.0f%%", (b-a)/hz/s*100}'; }

# ------------------------------------------------------------------ 1. fail-over
log "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'), $(wrk --version 2>&1 | head -1 | awk '{print "wrk", $2}'), $(nproc) CPUs"
for i in $(seq 0 $((NREPLICAS - 1))); do start_replica "$i"; done
start_nginx 0 1 2
log "replicas on 127.0.0.1:${RPORT[0]} :${RPORT[1]} :${RPORT[2]}, nginx on 127.0.0.1:$NGINX_PORT"
log "fail-over: ${FAILOVER_SECS}s of wrk -t$WRK_THREADS -c$CONNECTIONS, replica 2 gets SIGKILL at ${KILL_AT}s"
run_wrk "$NGINX_PORT" "$FAILOVER_SECS" "$WORK/failover.txt" &
WRK_PID=$!
sleep "$KILL_AT"
kill_replica 1
log "killed replica 2 (port ${RPORT[1]}) with SIGKILL"
wait "$WRK_PID" || die "wrk (fail-over) failed"
F_TOTAL=$(wrk_total "$WORK/failover.txt")
F_NON2XX=$(wrk_non2xx "$WORK/failover.txt")
F_SOCK=$(wrk_sockerr "$WORK/failover.txt")
F_COUNTS=$(counts "$WORK/failover.txt")
F_RPS=$(rps "$WORK/failover.txt")
F_OK=$(sed -n 's/.*ok=\([0-9]*\).*/\1/p' <<<"$F_COUNTS")
F_NON200=$(sed -n 's/.*non200=\([0-9]*\).*/\1/p' <<<"$F_COUNTS")
F_BAD=$(sed -n 's/.*badbody=\([0-9]*\).*/\1/p' <<<"$F_COUNTS")
F_RETRIES=$(grep -c 'while connecting to upstream\|while reading response header\|while sending request' \
	"$WORK/nginx-error.log" || true)
FAILOVER_OK=1
if [ "$F_NON2XX" -ne 0 ] || [ "$F_SOCK" -ne 0 ] || [ "${F_NON200:-1}" -ne 0 ] ||
	[ "${F_BAD:-1}" -ne 0 ] || [ "${F_OK:-0}" -ne "${F_TOTAL:--1}" ]; then
	FAILOVER_OK=0
	cat "$WORK/failover.txt" >&2
fi
log "fail-over: $F_TOTAL requests, $F_OK valid, $F_NON2XX non-2xx, $F_SOCK socket errors ($F_RETRIES upstream errors nginx retried)"
stop_nginx

# ------------------------------------------------------------------ 2. throughput
start_replica 1
declare -A RES_RPS RES_P99 RES_NCPU RES_RCPU
for n in 1 2 3; do
	idx=()
	rpids=()
	for i in $(seq 0 $((n - 1))); do idx+=("$i"); rpids+=("${RPID[i]}"); done
	start_nginx "${idx[@]}"
	# shellcheck disable=SC2207  # pids are single words
	npids=("$NGINX_PID" $(pgrep -P "$NGINX_PID"))
	n0=$(ticks "${npids[@]}")
	r0=$(ticks "${rpids[@]}")
	run_wrk "$NGINX_PORT" "$MEASURE_SECS" "$WORK/nginx$n.txt"
	RES_NCPU[nginx$n]=$(cpu_pct "$n0" "$(ticks "${npids[@]}")")
	RES_RCPU[nginx$n]=$(cpu_pct "$r0" "$(ticks "${rpids[@]}")")
	stop_nginx
	if [ "$(wrk_non2xx "$WORK/nginx$n.txt")" -ne 0 ] || [ "$(wrk_sockerr "$WORK/nginx$n.txt")" -ne 0 ]; then
		log "warning: errors in the $n-replica run: $(counts "$WORK/nginx$n.txt")"
	fi
	RES_RPS[nginx$n]=$(rps "$WORK/nginx$n.txt")
	RES_P99[nginx$n]=$(p99 "$WORK/nginx$n.txt")
	log "nginx + $n replica(s): ${RES_RPS[nginx$n]} req/s, p99 ${RES_P99[nginx$n]}, CPU nginx ${RES_NCPU[nginx$n]} replicas ${RES_RCPU[nginx$n]}"
done
for i in 0 1 2; do
	r0=$(ticks "${RPID[i]}")
	run_wrk "${RPORT[i]}" "$MEASURE_SECS" "$WORK/direct$i.txt"
	RES_RCPU[direct$i]=$(cpu_pct "$r0" "$(ticks "${RPID[i]}")")
	RES_NCPU[direct$i]=-
	RES_RPS[direct$i]=$(rps "$WORK/direct$i.txt")
	RES_P99[direct$i]=$(p99 "$WORK/direct$i.txt")
	log "replica $((i + 1)) direct: ${RES_RPS[direct$i]} req/s, p99 ${RES_P99[direct$i]}, CPU replica ${RES_RCPU[direct$i]}"
done

# ------------------------------------------------------------------ report
base=${RES_RPS[nginx1]}
ratio() { awk -v a="$1" -v b="$base" 'BEGIN{ if (b > 0) printf "%.2fx", a/b; else print "-" }'; }
echo
echo "## pwgend scale-test ($(date -u +%Y-%m-%d), $(nproc) CPUs, wrk -t$WRK_THREADS -c$CONNECTIONS, GET /password?quantity=$QUANTITY)"
echo
echo "Fail-over: ${FAILOVER_SECS}s through nginx to 3 replicas, one killed with SIGKILL at ${KILL_AT}s"
echo
echo "| requests | valid 200 | non-2xx | socket errors | bad bodies | req/s | upstream errors nginx retried |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
echo "| $F_TOTAL | $F_OK | $F_NON2XX | $F_SOCK | $F_BAD | $F_RPS | $F_RETRIES |"
echo
echo "Throughput, ${MEASURE_SECS}s per row"
echo
echo "| target | req/s | p99 latency | vs nginx + 1 replica | CPU nginx | CPU pwgend |"
echo "|---|---:|---:|---:|---:|---:|"
for n in 1 2 3; do
	echo "| nginx + $n replica$([ "$n" -gt 1 ] && echo s) | ${RES_RPS[nginx$n]} | ${RES_P99[nginx$n]} | $(ratio "${RES_RPS[nginx$n]}") | ${RES_NCPU[nginx$n]} | ${RES_RCPU[nginx$n]} |"
done
for i in 0 1 2; do
	echo "| replica $((i + 1)) direct (no nginx) | ${RES_RPS[direct$i]} | ${RES_P99[direct$i]} | $(ratio "${RES_RPS[direct$i]}") | - | ${RES_RCPU[direct$i]} |"
done
echo
echo "CPU: % of one CPU over the run (all replicas together). wrk, nginx and the"
echo "replicas share the same $(nproc) CPUs, so adding replicas cannot raise"
echo "throughput beyond what those CPUs allow."
echo
if [ "$FAILOVER_OK" -eq 1 ]; then
	echo "scale-test: fail-over PASSED: every one of $F_TOTAL requests got a valid 200 while a replica was killed (total $(($(date +%s) - T0))s)"
	exit 0
fi
echo "scale-test: fail-over FAILED: $F_NON2XX non-2xx, $F_SOCK socket errors, ${F_BAD:-?} bad bodies, ${F_OK:-?} valid of $F_TOTAL"
exit 1
