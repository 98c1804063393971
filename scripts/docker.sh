#!/usr/bin/env bash
# docker.sh - build and smoke-test pwgend's container image (docker/Dockerfile)
# with rootful podman on a Debian bookworm machine that has no Docker engine
# and no container registry, only a Debian apt mirror.
#
# Usage (as root, from anywhere in the repository):
#   scripts/docker.sh build    tools + base image + podman build -> localhost/pwgend:latest
#   scripts/docker.sh test     build, then run the image hardened and check it
#   scripts/docker.sh base     only the tools and the local base image
#   scripts/docker.sh nginx    build localhost/pwgend-nginx:latest (docker/nginx.Dockerfile)
#   scripts/docker.sh compose-test
#                              docker/compose.yaml with podman-compose: 3 replicas
#                              behind nginx; kill one, stop one, all requests must succeed
#   scripts/docker.sh kube-test
#                              docker/k8s/deployment.yaml with `podman kube play`:
#                              pods, probes, env, securityContext, limits, stop
#
# Each step is skipped when already done:
#   1. apt-get installs podman, runc, crun, mmdebstrap, ... only if missing;
#   2. writes /etc/containers/containers.conf.d/90-pwgend.conf only if a probe
#      shows this machine needs it (hard ulimits podman cannot raise; crun
#      refusing hybrid cgroup v1/v2 -> runc);
#   3. creates docker.io/library/debian:bookworm-slim locally with mmdebstrap
#      from the apt mirror the HOST is configured with (about 1 minute, once),
#      so `FROM debian:bookworm-slim` resolves with --pull=never;
#   4. podman build --pull=never --format docker (docker format keeps HEALTHCHECK).
#
# `build` passes the OCI label values (version from the Makefile, revision
# = git HEAD, created = now, RFC 3339 UTC, source) as build arguments.
#
# `test` runs the image with --read-only --cap-drop ALL
# --security-opt no-new-privileges --network host -e PORT=<free port> and
# checks /healthz, /password?quantity=5, the image size (<= 15 MB), its OCI
# labels and its contents (pwgend and shared libraries only: no shell, no
# package manager), the CLI with a --policies file (libyaml), the user
# and privileges of the process, the
# HEALTHCHECK, HTTPS, a clean SIGTERM stop and JSON access lines. It prints
# PASS/FAIL per check and exits non-zero if any failed. If podman cannot run
# on this machine at all it prints "docker-test: SKIPPED: <reason>" and
# exits 0.
#
# Environment: IMAGE (default localhost/pwgend:latest), DOCKERFILE (default
#   docker/Dockerfile), PWGEND_SOURCE (the source label; default: the git
#   remote "origin", else "unknown"),
#   STORAGE_DRIVER=auto|overlay|vfs, BUILD_NETWORK=auto|host|bridge,
#   PODMAN_RUNTIME=auto|crun|runc, NO_INSTALL=1 (never apt-get),
#   REBUILD_BASE=1 (re-create the base image).
# Users with a Docker engine do not need this script: see docs/DEPLOY.md.

set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

SUITE=bookworm
BASE_TAG=docker.io/library/debian:${SUITE}-slim
IMAGE=${IMAGE:-localhost/pwgend:latest}
NGINX_IMAGE=${NGINX_IMAGE:-localhost/pwgend-nginx:latest}
DOCKERFILE=${DOCKERFILE:-docker/Dockerfile}
STORAGE_DRIVER=${STORAGE_DRIVER:-auto}
BUILD_NETWORK=${BUILD_NETWORK:-auto}
PODMAN_RUNTIME=${PODMAN_RUNTIME:-auto}
NO_INSTALL=${NO_INSTALL:-0}
REBUILD_BASE=${REBUILD_BASE:-0}
CONF_DROPIN=/etc/containers/containers.conf.d/90-pwgend.conf
GRACE=5          # pwgend's default --grace; a stop must finish well within it

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
log() { printf '[docker.sh %5ss] %s\n' "$(elapsed "$T0")" "$*" >&2; }
die() { printf '[docker.sh] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^# Users with/p' "$0" | sed 's/^# \{0,1\}//'; }

# "podman cannot run here at all": only `test` turns this into a skip.
SKIP_ON_NO_PODMAN=0
no_podman() {
	if [ "$SKIP_ON_NO_PODMAN" -eq 1 ]; then
		echo "$TEST_NAME: SKIPPED: $*"
		exit 0
	fi
	die "$*"
}

# ------------------------------------------------------------------ tools
apt_install() {
	# DPkg::Lock::Timeout: wait for another apt/dpkg instead of failing
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -qq --no-install-recommends "$@"
}

ensure_tools() {
	# iptables: netavark needs it for the default bridge network (builds
	# and compose); aardvark-dns resolves compose service names; catatonit:
	# the pause process of a pod's infra container (kube play)
	local need=() pair cmd pkg
	for pair in podman:podman runc:runc crun:crun conmon:conmon \
		    netavark:netavark aardvark-dns:aardvark-dns iptables:iptables \
		    mmdebstrap:mmdebstrap curl:curl jq:jq ss:iproute2 \
		    catatonit:catatonit; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/lib/podman/$cmd" ] ||
			need+=("$pkg")
	done
	# mmdebstrap verifies the mirror with this keyring
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		need+=(debian-archive-keyring)
	[ ${#need[@]} -eq 0 ] && return 0
	[ "$NO_INSTALL" = 1 ] && die "missing packages (NO_INSTALL=1): ${need[*]}"
	log "installing: ${need[*]}"
	if ! apt_install "${need[@]}"; then
		log "install failed; apt-get update and retry"
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
			update -qq || die "apt-get update failed (Debian mirror unreachable?)"
		apt_install "${need[@]}" || die "apt-get install ${need[*]} failed"
	fi
}

# ------------------------------------------------------------------ podman
PODMAN=(podman)
setup_podman() {
	if [ "$STORAGE_DRIVER" = auto ]; then
		if grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null; then
			STORAGE_DRIVER=overlay
		else
			STORAGE_DRIVER=vfs
		fi
	fi
	case $STORAGE_DRIVER in
	overlay) PODMAN=(podman --storage-driver overlay) ;;
	# its own root: podman refuses a store created by another driver
	vfs) PODMAN=(podman --storage-driver vfs --root /var/lib/containers/storage-vfs) ;;
	*) die "STORAGE_DRIVER must be auto, overlay or vfs (got $STORAGE_DRIVER)" ;;
	esac
	local out
	if ! out=$("${PODMAN[@]}" info 2>&1); then
		printf '%s\n' "$out" | tail -5 >&2
		no_podman "'${PODMAN[*]} info' fails (storage driver $STORAGE_DRIVER)"
	fi
}

# containers.conf drop-in, written only for what the probes show is needed.
ULIMIT_LINE=
probe_ulimits() {
	# Rootful podman asks the OCI runtime for nofile=1048576 (and a large
	# nproc). Where even root cannot raise its hard RLIMIT_NOFILE ("setrlimit
	# RLIMIT_NOFILE: Operation not permitted") pin the defaults to what we have.
	if ! (prlimit --pid $BASHPID --nofile=1048576:1048576) 2>/dev/null; then
		local hn hu pm
		hn=$(ulimit -Hn)
		hu=$(ulimit -Hu)
		pm=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
		[ "$hu" = unlimited ] && hu=$pm
		[ "$hu" -gt "$pm" ] && hu=$pm
		[ "$hn" = unlimited ] && hn=1048576
		ULIMIT_LINE="default_ulimits = [\"nofile=${hn}:${hn}\", \"nproc=${hu}:${hu}\"]"
	fi
}

# $1: runtime to pin ("" = podman's default). Writes, rewrites or removes
# the drop-in so that it holds exactly what is needed.
write_dropin() {
	local rt=$1 desired=
	if [ -n "$ULIMIT_LINE" ] || [ -n "$rt" ]; then
		desired="# written by pwgend scripts/docker.sh: work-arounds this machine's probes showed"
		[ -n "$ULIMIT_LINE" ] && desired+=$'\n[containers]\n'"$ULIMIT_LINE"
		[ -n "$rt" ] && desired+=$'\n[engine]\n'"runtime = \"$rt\""
	fi
	if [ -z "$desired" ]; then
		[ -f "$CONF_DROPIN" ] && { rm -f "$CONF_DROPIN"; log "removed $CONF_DROPIN (not needed)"; }
		return 0
	fi
	if [ ! -f "$CONF_DROPIN" ] || [ "$(cat "$CONF_DROPIN")" != "$desired" ]; then
		mkdir -p "$(dirname "$CONF_DROPIN")"
		printf '%s\n' "$desired" >"$CONF_DROPIN"
		log "wrote $CONF_DROPIN (${ULIMIT_LINE:+ulimits pinned; }runtime ${rt:-default})"
	fi
}

# Which OCI runtime: crun 1.8 refuses hybrid cgroup v1+v2 mounts ("cgroups in
# hybrid mode not supported"), runc copes. Guess from the cgroup layout, then
# confirm with a real container; fall back to the other runtime.
RUNTIME=
pick_runtime() {
	local candidates=() rt out
	if [ "$PODMAN_RUNTIME" != auto ]; then
		candidates=("$PODMAN_RUNTIME")
	elif grep -q '[a-z]' /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
		candidates=(runc "")    # hybrid: crun (the default) would fail
	else
		candidates=("" runc)    # podman's default first
	fi
	for rt in "${candidates[@]}"; do
		write_dropin "$rt"
		if out=$("${PODMAN[@]}" run --rm --network none "$BASE_TAG" true 2>&1); then
			RUNTIME=${rt:-default}
			log "containers start (runtime ${RUNTIME})"
			return 0
		fi
		log "runtime ${rt:-default} cannot start a container: $out"
	done
	no_podman "cannot start even a trivial container with runtime(s) ${PODMAN_RUNTIME/auto/default and runc}"
}

# ------------------------------------------------------------------ base image
# deb822 sources for the image, from the HOST's apt configuration (apt itself
# parses sources.list and sources.list.d/*.sources; nothing is hard-coded).
make_sources() {
	# shellcheck disable=SC2016  # $(FIELD) is apt's template syntax
	apt-get indextargets --no-release-info \
		--format '$(TARGET_OF) $(IDENTIFIER) $(COMPONENT) $(RELEASE) $(REPO_URI)' 2>/dev/null |
		awk -v s="$SUITE" '$1=="deb" && $2=="Packages" && $3=="main" &&
			($4==s || $4==s"-updates" || $4==s"-security") {print $5, $4}' |
		LC_ALL=C sort -u |
		awk '{uri=$1; sub(/\/$/, "", uri); if (!(uri in suites)) order[n++]=uri;
		      suites[uri]=suites[uri] (suites[uri]==""?"":" ") $2}
		     END {for (i=0;i<n;i++) {u=order[i];
		       printf "Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n", u, suites[u]}}'
}

build_base() {
	local work sources tarball f include=() hooks=()
	work=$(mktemp -d /var/tmp/pwgend-base.XXXXXX)
	sources=$work/debian.sources
	tarball=$work/rootfs.tar
	make_sources >"$sources"
	if ! awk -v s="$SUITE" '/^Suites:/{for(i=2;i<=NF;i++) if($i==s) f=1} END{exit !f}' "$sources"; then
		# the host may simply never have run apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq || true
		make_sources >"$sources"
		awk -v s="$SUITE" '/^Suites:/{for(i=2;i<=NF;i++) if($i==s) f=1} END{exit !f}' "$sources" || {
			rm -rf "$work"
			die "no '$SUITE main' Debian mirror in the host's apt configuration"
		}
	fi
	grep -q '^URIs: https:' "$sources" && include=(--include=ca-certificates)
	# the apt settings the official debian:*-slim images carry (no package
	# caches left in layers that run apt-get)
	cat >"$work/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
	echo 'Acquire::GzipIndexes "true";' >"$work/docker-gzip-indexes"
	echo 'Acquire::Languages "none";' >"$work/docker-no-languages"
	echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$work/docker-autoremove-suggests"
	for f in docker-clean docker-gzip-indexes docker-no-languages docker-autoremove-suggests; do
		hooks+=(--customize-hook="upload $work/$f /etc/apt/apt.conf.d/$f")
	done
	# shellcheck disable=SC2016  # "$1" is expanded by mmdebstrap's hook shell
	hooks+=(--customize-hook='rm -f "$1"/var/cache/apt/*.bin')
	log "creating $BASE_TAG with mmdebstrap from $(awk '/^URIs:/{printf "%s ", $2}' "$sources")"
	# merged-usr hook: otherwise bookworm pulls in usrmerge + perl;
	# path-excludes: like the official -slim image (no man pages, docs, locales)
	if ! mmdebstrap --variant=minbase --mode=root --format=tar \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--aptopt='Acquire::Languages "none"' \
		"${include[@]}" "${hooks[@]}" \
		"$SUITE" "$tarball" "$sources" >"$work/mmdebstrap.log" 2>&1; then
		tail -30 "$work/mmdebstrap.log" >&2
		die "mmdebstrap failed (log: $work/mmdebstrap.log)"
	fi
	"${PODMAN[@]}" import \
		--change 'CMD ["bash"]' \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change "LABEL org.opencontainers.image.description=local-mmdebstrap-${SUITE}-minbase" \
		"$tarball" "$BASE_TAG" >/dev/null || die "podman import failed"
	rm -rf "$work"
}

ensure_base() {
	if [ "$REBUILD_BASE" = 1 ] || ! "${PODMAN[@]}" image exists "$BASE_TAG"; then
		local tb
		tb=$(date +%s.%N)
		build_base
		log "base image $BASE_TAG created in $(elapsed "$tb")s"
	else
		log "base image $BASE_TAG present"
	fi
}

prepare() {
	[ "$(id -u)" -eq 0 ] || die "run as root (rootful podman is what works here): sudo $0 $*"
	command -v apt-get >/dev/null || die "apt-get not found: this script targets Debian $SUITE"
	ensure_tools
	setup_podman
	probe_ulimits
	# the base image first: confirming the runtime needs a container to start
	ensure_base
	pick_runtime
}

# ------------------------------------------------------------------ build
# The pwgend image's OCI label values, passed as build arguments:
# version from the Makefile (mk/ops.mk's VERSION, what /version reports),
# revision = the commit (+"-dirty" when tracked files differ from it),
# created = now in RFC 3339 UTC, source = PWGEND_SOURCE or the "origin"
# remote without any user:password part ("unknown" when there is neither).
LABEL_VERSION='' LABEL_REVISION='' LABEL_CREATED='' LABEL_SOURCE=''
image_labels() {
	# shellcheck disable=SC2016  # $(VERSION) is make's, not the shell's
	LABEL_VERSION=$(make -s --no-print-directory -C "$ROOT" \
		--eval 'print-version: ; @echo $(VERSION)' print-version)
	[ -n "$LABEL_VERSION" ] || die "cannot read VERSION from the Makefile"
	if LABEL_REVISION=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null); then
		git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null ||
			LABEL_REVISION+=-dirty
	else
		LABEL_REVISION=unknown
	fi
	LABEL_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	LABEL_SOURCE=${PWGEND_SOURCE:-$(git -C "$ROOT" remote get-url origin 2>/dev/null |
		sed -E 's#^([a-z+]+://)[^/@]*@#\1#' || true)}
	LABEL_SOURCE=${LABEL_SOURCE:-unknown}
}

NET_FLAG=()
build_image() {  # $1 Dockerfile, $2 tag, then extra podman build arguments
	if [ "$BUILD_NETWORK" = auto ]; then
		# bridge (netavark + iptables) normally works; else the host's namespace
		if "${PODMAN[@]}" run --rm "$BASE_TAG" true >/dev/null 2>&1; then
			BUILD_NETWORK=bridge
		else
			BUILD_NETWORK=host
		fi
	fi
	NET_FLAG=()
	[ "$BUILD_NETWORK" = host ] && NET_FLAG=(--network host)
	local tb
	tb=$(date +%s.%N)
	log "podman build -f $1 -t $2 (build network $BUILD_NETWORK)"
	"${PODMAN[@]}" build --pull=never --format docker "${NET_FLAG[@]}" \
		-f "$1" -t "$2" "${@:3}" "$ROOT" ||
		die "podman build failed. If RUN apt-get cannot reach the mirror, retry with BUILD_NETWORK=host"
	log "built $2 in $(elapsed "$tb")s, size $(image_size "$2")"
}

image_size() {
	"${PODMAN[@]}" image inspect --format '{{.Size}}' "$1" |
		awk '{printf "%.1f MB (%d bytes)", $1/1e6, $1}'
}

# The values go in twice: as build arguments, which docker/Dockerfile's
# LABEL uses (enough for Docker), and as --label, because podman 4.3
# (buildah 1.28) reuses a cached LABEL step whose build arguments changed:
# without --label a rebuild kept the previous build's created and revision.
build_pwgend() {  # $1 tag
	local args=() kv key
	image_labels
	for kv in version="$LABEL_VERSION" revision="$LABEL_REVISION" \
		created="$LABEL_CREATED" source="$LABEL_SOURCE"; do
		key=${kv%%=*}
		args+=(--build-arg "${key^^}=${kv#*=}"
		       --label "org.opencontainers.image.$kv")
	done
	build_image "$DOCKERFILE" "$1" "${args[@]}"
}

cmd_build() {
	prepare "$@"
	build_pwgend "$IMAGE"
}

# ------------------------------------------------------------------ test
# A TCP port nothing on this host uses (any state), below the ephemeral range
# so that outgoing connections cannot take it meanwhile.
free_port() {
	local p lo hi
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	for _ in $(seq 1 100); do
		p=$((20000 + RANDOM % 10000))
		[ "$p" -ge "$lo" ] && [ "$p" -le "$hi" ] && continue
		if [ -z "$(ss -Htan "( sport = :$p )")" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Without systemd as PID 1, podman cannot schedule the periodic HEALTHCHECK
# (it logs "unable to get systemd connection to add healthchecks"); the check
# itself still runs on demand with `podman healthcheck run`, which is tested.
note_no_systemd() {
	if grep -q 'systemd connection' "$1"; then
		log "note: no systemd here, so podman runs HEALTHCHECK only on demand (podman healthcheck run)"
		grep -v 'systemd connection' "$1" >&2 || true
	else
		cat "$1" >&2
	fi
	rm -f "$1"
}

PASSES=0
FAILS=0
RESULTS=()
pass() { PASSES=$((PASSES + 1)); RESULTS+=("PASS  $*"); log "PASS $*"; }
fail() { FAILS=$((FAILS + 1)); RESULTS+=("FAIL  $*"); log "FAIL $*"; }

CNAME=
cleanup_test() {
	if [ -n "$CNAME" ]; then
		"${PODMAN[@]}" rm -f -t 0 "$CNAME" >/dev/null 2>&1 || true
		"${PODMAN[@]}" rm -f -t 0 "$CNAME-hc" >/dev/null 2>&1 || true
		"${PODMAN[@]}" rm -f -t 0 "$CNAME-flags" >/dev/null 2>&1 || true
		"${PODMAN[@]}" rm -f -t 0 "$CNAME-tls" >/dev/null 2>&1 || true
		"${PODMAN[@]}" rm -f -t 0 "$CNAME-export" >/dev/null 2>&1 || true
	fi
	[ -z "$TLS_DIR" ] || rm -rf "$TLS_DIR"
}

# ------------------------------------------------------------------ image checks
MAX_IMAGE_BYTES=15000000   # 15 MB as podman counts (decimal)

# Size, OCI labels (the values this run passed; the version is also what
# the running pwgend reports at /version), and contents: only the binary,
# shared libraries and the loader - so no shell and no package manager.
# $1: base URL of a running container of $IMAGE.
check_image() {
	local size v want got files others
	size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
	if [ "$size" -le "$MAX_IMAGE_BYTES" ]; then
		pass "image size $(image_size "$IMAGE") <= $((MAX_IMAGE_BYTES / 1000000)) MB"
	else
		fail "image size $(image_size "$IMAGE") > $((MAX_IMAGE_BYTES / 1000000)) MB"
	fi

	local -A want_labels=([version]=$LABEL_VERSION [revision]=$LABEL_REVISION
		[created]=$LABEL_CREATED [source]=$LABEL_SOURCE [licenses]=MIT)
	local errs=()
	for v in version revision created source licenses; do
		want=${want_labels[$v]}
		got=$("${PODMAN[@]}" image inspect --format \
			"{{index .Labels \"org.opencontainers.image.$v\"}}" "$IMAGE")
		[ -n "$got" ] && [ "$got" = "$want" ] ||
			errs+=("$v='$got' (expected '$want')")
	done
	[[ $LABEL_CREATED =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
		errs+=("created '$LABEL_CREATED' is not RFC 3339 UTC")
	got=$(curl -s --max-time 5 "$1/version" | jq -r '.version' 2>/dev/null || true)
	[ "$got" = "$LABEL_VERSION" ] ||
		errs+=("GET /version says '$got', the label '$LABEL_VERSION'")
	if [ ${#errs[@]} -eq 0 ]; then
		pass "OCI labels version=$LABEL_VERSION (= /version) revision=${LABEL_REVISION:0:12}... created=$LABEL_CREATED source=$LABEL_SOURCE licenses=MIT"
	else
		fail "OCI labels: ${errs[*]}"
	fi

	# every file of the image, from its exported root file system
	"${PODMAN[@]}" create --name "$CNAME-export" "$IMAGE" >/dev/null
	files=$("${PODMAN[@]}" export "$CNAME-export" | tar -tvf - |
		awk '$1 ~ /^l/ {print $(NF - 2); next} $1 !~ /^d/ {print $NF}' | sed 's#^\./##; s#^/##' | LC_ALL=C sort)
	"${PODMAN[@]}" rm -f "$CNAME-export" >/dev/null 2>&1 || true
	others=$(grep -Ev '^(usr/local/bin/pwgend|(usr/)?lib(64)?/([a-z0-9_-]+/)?[A-Za-z0-9_.+-]+\.so(\.[0-9]+)*)$' <<<"$files" || true)
	if grep -qx usr/local/bin/pwgend <<<"$files" && [ -z "$others" ]; then
		pass "image holds only pwgend and $(($(grep -c . <<<"$files") - 1)) shared objects (no shell, no package manager)"
	else
		fail "image holds more than pwgend and its libraries: $(head -5 <<<"$others" | tr '\n' ' ')"
	fi
	if "${PODMAN[@]}" run --rm --entrypoint /bin/sh "$IMAGE" -c true >/dev/null 2>&1; then
		fail "/bin/sh runs in the image"
	else
		pass "no /bin/sh to run in the image"
	fi
	check_cli
}

# The command-line face in the image, offline: `pwgend password ...`
# prints its items and exits 0 (no network, read-only, no capabilities).
check_cli() {
	local out
	# stdout only: podman says things of its own on stderr (healthcheck
	# timers without systemd)
	out=$("${PODMAN[@]}" run --rm --network none --read-only --cap-drop ALL \
		"$IMAGE" password --quantity 3 --length 16 2>/dev/null) || true
	if [ "$(grep -cxE '[!-~]{16}' <<<"$out")" -eq 3 ] &&
	   [ "$(grep -c . <<<"$out")" -eq 3 ]; then
		pass "pwgend password --quantity 3 --length 16 in the image (offline): 3 items"
	else
		fail "pwgend password in the image printed: $(head -3 <<<"$out" | tr '\n' ' ')"
	fi
	check_policies
}

# --policies in the image: libyaml is one of the libraries ldd listed, and
# a policy file (YAML, on stdin) loads and applies.
check_policies() {
	local out
	out=$(printf 'p: {kind: pin, length: 9}\n' |
		"${PODMAN[@]}" run --rm -i --network none --read-only \
		--cap-drop ALL "$IMAGE" pin --policies /dev/stdin --policy p \
		2>/dev/null) || true
	if grep -qxE '[0-9]{9}' <<<"$out"; then
		pass "pwgend pin --policies (YAML on stdin) --policy p in the image: a 9-digit PIN"
	else
		fail "pwgend pin --policies in the image printed: $(head -3 <<<"$out" | tr '\n' ' ')"
	fi
}

# HTTPS from the FROM-scratch image: gnutls needs no file of its own at
# run time (no /etc/gnutls, no trust store). Throwaway certificates from
# tests/tls/make-certs.sh (openssl on the host), mounted read-only.
TLS_DIR=
check_tls() {
	local port code hc_rc=1
	TLS_DIR=$(mktemp -d /tmp/pwgend-docker-tls.XXXXXX)
	if ! sh tests/tls/make-certs.sh "$TLS_DIR" server >/dev/null 2>&1; then
		fail "HTTPS: tests/tls/make-certs.sh (openssl) failed"
		return
	fi
	chmod 755 "$TLS_DIR"
	chmod 644 "$TLS_DIR"/*
	port=$(free_port)
	if "${PODMAN[@]}" run -d --name "$CNAME-tls" --read-only --cap-drop ALL \
		--security-opt no-new-privileges --network host \
		-v "$TLS_DIR:/tls:ro" -e PORT="$port" \
		-e PWGEND_TLS_CERT=/tls/server.pem -e PWGEND_TLS_KEY=/tls/server.key \
		"$IMAGE" >/dev/null 2>&1; then
		for _ in $(seq 1 40); do
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
				--cacert "$TLS_DIR/ca.pem" "https://127.0.0.1:$port/readyz" || true)
			[ "$code" = 200 ] && break
			sleep 0.25
		done
		hc_rc=0
		"${PODMAN[@]}" healthcheck run "$CNAME-tls" >/dev/null 2>&1 || hc_rc=$?
	fi
	if [ "${code:-000}" = 200 ] && [ "$hc_rc" -eq 0 ]; then
		pass "HTTPS in the image: GET /readyz 200 (curl --cacert), HEALTHCHECK over TLS -> 0"
	else
		fail "HTTPS: GET /readyz -> ${code:-none}, healthcheck -> $hc_rc"
		"${PODMAN[@]}" logs "$CNAME-tls" 2>&1 | tail -5 >&2 || true
	fi
	"${PODMAN[@]}" rm -f -t 0 "$CNAME-tls" >/dev/null 2>&1 || true
}

# $1: the container's log. JSON is the image's default (PWGEND_LOG_FORMAT):
# every line must be one JSON object with time, level and message, and the
# access line of GET /password one of them.
check_json_log() {
	local lines bad n
	lines=$(grep -c . <<<"$1" || true)
	bad=$(jq -R 'fromjson? // "bad" | select(type != "object"
		or (.time | type) != "string" or (.level | type) != "string"
		or (.message | type) != "string")' <<<"$1" 2>/dev/null | grep -c . || true)
	n=$(jq -R 'fromjson? | select(type == "object")
		| select(."url.path" == "/password"
		         and ."http.response.status_code" == 200)' \
		<<<"$1" 2>/dev/null | jq -s length 2>/dev/null || echo 0)
	if [ "${lines:-0}" -gt 0 ] && [ "$bad" -eq 0 ] && [ "${n:-0}" -ge 1 ]; then
		pass "logs are JSON by default: all $lines lines objects with time/level/message, $n for GET /password 200"
	else
		fail "logs: $bad of $lines lines not JSON objects with time/level/message, $n access lines for GET /password: $(grep -m1 -v '^{' <<<"$1" || true)"
	fi
}

# The process of container $1 (a name; $2 prefixes the messages): numeric
# non-root uid/gid, no capabilities, no_new_privs, read-only root.
check_hardening() {
	local c=$1 what=${2:+$2: } pid uids gids capeff nnp top ro
	pid=$("${PODMAN[@]}" inspect --format '{{.State.Pid}}' "$c")
	uids=$(awk '/^Uid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
	gids=$(awk '/^Gid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
	capeff=$(awk '/^CapEff:/{print $2}' "/proc/$pid/status")
	nnp=$(awk '/^NoNewPrivs:/{print $2}' "/proc/$pid/status")
	top=$("${PODMAN[@]}" top "$c" user huser args 2>/dev/null | tail -n +2 | tr -s ' ' || true)
	if [ "$uids" = "10001 10001 10001 10001" ] && [ "$gids" = "10001 10001 10001 10001" ]; then
		pass "${what}process runs as uid/gid 10001 (host pid $pid; podman top: ${top:-n/a})"
	else
		fail "${what}process uid [$uids] gid [$gids], expected 10001"
	fi
	if [ "$capeff" = 0000000000000000 ] && [ "$nnp" = 1 ]; then
		pass "${what}no effective capabilities (CapEff $capeff), NoNewPrivs $nnp"
	else
		fail "${what}CapEff $capeff NoNewPrivs $nnp (expected 0000000000000000 and 1)"
	fi
	ro=$(awk '$2 == "/" {print $4}' "/proc/$pid/mounts" | tail -1 | cut -d, -f1)
	if [ "$ro" = ro ]; then
		pass "${what}root file system mounted read-only"
	else
		fail "${what}root file system is mounted '$ro', expected ro"
	fi
}

# SIGTERM to container $1: podman stop -t 10 sends STOPSIGNAL, SIGKILL only
# after 10 s. An idle pwgend must exit 0 well within its grace period, log
# the drain, and have logged GET /password as JSON.
check_stop() {
	local c=$1 ts took rc tries=0 log
	ts=$(date +%s.%N)
	"${PODMAN[@]}" stop -t 10 "$c" >/dev/null 2>&1 || true
	took=$(elapsed "$ts")
	rc=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$c" 2>/dev/null || echo '?')
	if [ "$rc" = 0 ] && awk -v t="$took" -v g="$GRACE" 'BEGIN{exit !(t < g)}'; then
		pass "podman stop (SIGTERM) -> exit 0 in ${took}s (grace ${GRACE}s)"
	else
		fail "podman stop (SIGTERM) -> exit $rc in ${took}s (expected 0 within ${GRACE}s)"
	fi
	# Read the log into a variable before searching it: with pipefail,
	# `podman logs | grep -q` fails whenever grep exits early and podman
	# gets SIGPIPE, which made this check flaky. conmon may also still be
	# writing the last lines when stop returns, so allow up to 3 s.
	log=$("${PODMAN[@]}" logs "$c" 2>&1 || true)
	while [[ $log != *draining* ]] && [ "$tries" -lt 30 ]; do
		sleep 0.1
		tries=$((tries + 1))
		log=$("${PODMAN[@]}" logs "$c" 2>&1 || true)
	done
	if [[ $log == *draining* ]]; then
		pass "logs show the SIGTERM drain ($(grep -c . <<<"$log") log lines)"
	else
		fail "no 'draining' line in the container log: $(tail -3 <<<"$log" | tr '\n' '|')"
	fi
	check_json_log "$log"
}

cmd_test() {
	SUMMARY_IMAGES=("$IMAGE")
	SKIP_ON_NO_PODMAN=1
	cmd_build "$@"
	SKIP_ON_NO_PODMAN=0

	local port url body code status items hc_rc
	port=$(free_port) || die "no free TCP port found"
	url=http://127.0.0.1:$port
	CNAME=pwgend-test-$$
	trap cleanup_test EXIT
	body=$(mktemp)
	trap 'cleanup_test; rm -f "$body"' EXIT

	log "running $IMAGE as $CNAME (--read-only --cap-drop ALL --security-opt no-new-privileges --network host, PORT=$port)"
	local tr
	tr=$(date +%s.%N)
	local runerr
	runerr=$(mktemp)
	if ! "${PODMAN[@]}" run -d --name "$CNAME" --read-only --cap-drop ALL \
		--security-opt no-new-privileges --network host \
		-e PORT="$port" "$IMAGE" >/dev/null 2>"$runerr"; then
		cat "$runerr" >&2
		rm -f "$runerr"
		fail "podman run"
		summary
	fi
	note_no_systemd "$runerr"

	# 1. /healthz answers 200 within 20 s
	code=000
	for _ in $(seq 1 80); do
		code=$(curl -s -o "$body" -w '%{http_code}' --max-time 2 "$url/healthz" || true)
		[ "$code" = 200 ] && break
		status=$("${PODMAN[@]}" inspect --format '{{.State.Status}}' "$CNAME" 2>/dev/null || echo gone)
		[ "$status" = running ] || break
		sleep 0.25
	done
	if [ "$code" = 200 ] && jq -e '.status == "ok"' "$body" >/dev/null 2>&1; then
		pass "GET /healthz -> 200 {\"status\":\"ok\"} after $(elapsed "$tr")s"
	else
		fail "GET /healthz -> $code (container: $("${PODMAN[@]}" inspect --format '{{.State.Status}}' "$CNAME" 2>&1))"
		"${PODMAN[@]}" logs "$CNAME" >&2 || true
		summary
	fi

	# 2. /password?quantity=5: five distinct 20-character alphanumeric items
	code=$(curl -s -o "$body" -w '%{http_code}' --max-time 5 "$url/password?quantity=5" || true)
	items=$(jq -r '.items[]?' "$body" 2>/dev/null || true)
	if [ "$code" = 200 ] &&
		[ "$(printf '%s\n' "$items" | grep -c '^[A-Za-z0-9]\{20\}$')" -eq 5 ] &&
		[ "$(printf '%s\n' "$items" | sort -u | wc -l)" -eq 5 ] &&
		jq -e '.kind == "password" and .quantity == 5 and .length == 20' "$body" >/dev/null; then
		pass "GET /password?quantity=5 -> 200, 5 distinct 20-char items"
	else
		fail "GET /password?quantity=5 -> $code: $(head -c 300 "$body")"
	fi

	# 2b. size, labels, contents of the image
	check_image "$url"

	# 3. the main process: numeric non-root uid/gid, no capabilities,
	#    no_new_privs, read-only root file system
	check_hardening "$CNAME"

	# 4. HEALTHCHECK: the image's own check passes now, and fails when
	#    nothing listens (so it is not vacuous)
	hc_rc=0
	"${PODMAN[@]}" healthcheck run "$CNAME" >/dev/null 2>&1 || hc_rc=$?
	local hc_cmd
	hc_cmd=$("${PODMAN[@]}" image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE" 2>/dev/null || echo '?')
	if [ "$hc_rc" -eq 0 ]; then
		pass "podman healthcheck run -> 0 (HEALTHCHECK $hc_cmd)"
	else
		fail "podman healthcheck run -> $hc_rc (HEALTHCHECK $hc_cmd)"
	fi
	local dead_port
	dead_port=$(free_port)
	hc_rc=0
	"${PODMAN[@]}" run --rm --name "$CNAME-hc" --read-only --cap-drop ALL \
		--security-opt no-new-privileges --network host -e PORT="$dead_port" \
		"$IMAGE" --healthcheck >/dev/null 2>&1 || hc_rc=$?
	if [ "$hc_rc" -eq 1 ]; then
		pass "pwgend --healthcheck against a closed port -> 1"
	else
		fail "pwgend --healthcheck against a closed port -> $hc_rc, expected 1"
	fi

	# 4b. The HEALTHCHECK follows the server's own flags: a container
	#     started with --port (no PORT variable) is healthy too (the probe
	#     reads the flags of the pwgend that is PID 1)
	local flag_port
	flag_port=$(free_port)
	hc_rc=1
	if "${PODMAN[@]}" run -d --name "$CNAME-flags" --read-only \
		--cap-drop ALL --security-opt no-new-privileges --network host \
		"$IMAGE" --port "$flag_port" >/dev/null 2>&1; then
		for _ in $(seq 1 40); do
			curl -sf -o /dev/null --max-time 1 \
				"http://127.0.0.1:$flag_port/readyz" && break
			sleep 0.25
		done
		hc_rc=0
		"${PODMAN[@]}" healthcheck run "$CNAME-flags" >/dev/null 2>&1 ||
			hc_rc=$?
	fi
	"${PODMAN[@]}" rm -f -t 0 "$CNAME-flags" >/dev/null 2>&1 || true
	if [ "$hc_rc" -eq 0 ]; then
		pass "healthcheck of a container started with --port $flag_port -> 0"
	else
		fail "healthcheck of a container started with --port $flag_port -> $hc_rc"
	fi

	# 4c. HTTPS works in the scratch image
	check_tls

	# 5. SIGTERM: a clean stop, the drain in the log, JSON access lines
	check_stop "$CNAME"
	"${PODMAN[@]}" rm "$CNAME" >/dev/null 2>&1 || true
	summary
}

TEST_NAME=docker-test
SUMMARY_IMAGES=()
summary() {
	local i
	echo
	echo "== $TEST_NAME"
	for i in "${SUMMARY_IMAGES[@]}"; do
		echo "  image $i: $(image_size "$i" 2>/dev/null || echo '?')"
	done
	printf '  %s\n' "${RESULTS[@]}"
	echo "  (total $(elapsed "$T0")s)"
	echo "$TEST_NAME: $PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ] || exit 1
	exit 0
}

cmd_nginx() {
	prepare "$@"
	build_image docker/nginx.Dockerfile "$NGINX_IMAGE"
}

# ------------------------------------------------------------------ compose
CT_PROJECT=
CT_PORT=
compose() {
	PWGEND_PUBLISH=127.0.0.1:$CT_PORT timeout 180 \
		podman-compose -p "$CT_PROJECT" -f docker/compose.yaml "$@"
}
compose_cleanup() {
	[ -n "$CT_PROJECT" ] || return 0
	compose down >/dev/null 2>&1 || true
	local c
	for c in $("${PODMAN[@]}" ps -aq --filter "label=com.docker.compose.project=$CT_PROJECT"); do
		"${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1 || true
	done
	"${PODMAN[@]}" network rm "${CT_PROJECT}_default" >/dev/null 2>&1 || true
}
ct_container() {  # $1 service -> container name
	"${PODMAN[@]}" ps -a --format '{{.Names}}' \
		--filter "label=com.docker.compose.project=$CT_PROJECT" \
		--filter "label=com.docker.compose.service=$1" | head -1
}
# $1 requests through nginx, one after the other; prints "ok bad"
ct_burst() {
	local n=$1 ok=0 bad=0 code
	for _ in $(seq 1 "$n"); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
			"http://127.0.0.1:$CT_PORT/password?quantity=5" || true)
		if [ "$code" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	done
	echo "$ok $bad"
}

cmd_compose_test() {
	TEST_NAME=compose-test
	SUMMARY_IMAGES=(localhost/pwgend:latest localhost/pwgend-nginx:latest)
	SKIP_ON_NO_PODMAN=1
	prepare "$@"
	SKIP_ON_NO_PODMAN=0
	if ! command -v podman-compose >/dev/null 2>&1; then
		[ "$NO_INSTALL" = 1 ] && die "podman-compose missing (NO_INSTALL=1)"
		log "installing podman-compose"
		apt_install podman-compose || die "apt-get install podman-compose failed"
	fi
	build_pwgend localhost/pwgend:latest
	build_image docker/nginx.Dockerfile localhost/pwgend-nginx:latest
	CT_PORT=$(free_port) || die "no free TCP port found"
	CT_PROJECT=pwgendtest$$
	trap compose_cleanup EXIT
	log "podman-compose -p $CT_PROJECT up -d (nginx on 127.0.0.1:$CT_PORT)"
	local out r code svc c rc ts took
	out=$(mktemp)
	if ! compose up -d >"$out" 2>&1; then
		tail -20 "$out" >&2
		fail "podman-compose up"
		rm -f "$out"
		summary
	fi
	rm -f "$out"
	code=000
	for _ in $(seq 1 80); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			"http://127.0.0.1:$CT_PORT/healthz" || true)
		[ "$code" = 200 ] && break
		sleep 0.25
	done
	if [ "$code" = 200 ]; then
		pass "compose up: nginx -> /healthz 200"
	else
		fail "compose up: nginx -> /healthz $code"
		"${PODMAN[@]}" logs "$(ct_container nginx)" >&2 || true
		summary
	fi
	for svc in pwgend1 pwgend2 pwgend3; do
		c=$(ct_container "$svc")
		rc=0
		"${PODMAN[@]}" healthcheck run "$c" >/dev/null 2>&1 || rc=$?
		if [ "$rc" -eq 0 ]; then pass "$svc: HEALTHCHECK healthy"; else fail "$svc: HEALTHCHECK -> $rc"; fi
	done
	r=$(ct_burst 30)
	if [ "${r#* }" = 0 ]; then pass "30 requests via nginx, 3 replicas: ${r% *} x 200"; else fail "3 replicas: ok/failed = $r"; fi

	# a replica dies hard: nginx must retry on the others
	"${PODMAN[@]}" kill -s KILL "$(ct_container pwgend2)" >/dev/null 2>&1
	r=$(ct_burst 30)
	if [ "${r#* }" = 0 ]; then pass "pwgend2 SIGKILLed: 30 more requests, ${r% *} x 200"; else fail "after SIGKILL: ok/failed = $r"; fi

	# a replica is stopped (SIGTERM) under load: drains, exits 0, no failures
	local codes
	codes=$(mktemp)
	(ct_burst 40 >"$codes") &
	local bg=$!
	sleep 0.3
	ts=$(date +%s.%N)
	"${PODMAN[@]}" stop -t 10 "$(ct_container pwgend3)" >/dev/null 2>&1 || true
	took=$(elapsed "$ts")
	wait "$bg" || true
	r=$(cat "$codes")
	rm -f "$codes"
	rc=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$(ct_container pwgend3)" 2>/dev/null || echo '?')
	if [ "$rc" = 0 ]; then pass "pwgend3 stopped (SIGTERM) in ${took}s, exit 0"; else fail "pwgend3 stop -> exit $rc"; fi
	if [ "${r#* }" = 0 ]; then pass "40 requests during that stop: ${r% *} x 200"; else fail "during stop: ok/failed = $r"; fi
	r=$(ct_burst 10)
	if [ "${r#* }" = 0 ]; then pass "1 replica left: 10 requests, ${r% *} x 200"; else fail "1 replica left: ok/failed = $r"; fi
	compose_cleanup
	CT_PROJECT=
	if [ -z "$("${PODMAN[@]}" ps -aq --filter "label=com.docker.compose.project=pwgendtest$$")" ]; then
		pass "compose down: no containers left"
	else
		fail "compose down left containers behind"
	fi
	summary
}

# ------------------------------------------------------------------ kube
# docker/k8s/deployment.yaml under `podman kube play`: the pods, their env,
# ports, resources and securityContext as written; the probes sent the way
# the kubelet sends them (HTTP GET to the pod's IP and the probe's port).
# scripts/kube-render.py writes the copy podman runs and the plan checked.
KT_NAME=
KT_DIR=
KT_MANIFEST=${KUBE_MANIFEST:-docker/k8s/deployment.yaml}
kube_cleanup() {
	[ -n "$KT_NAME" ] || return 0
	if [ -f "$KT_DIR/pod.yaml" ]; then
		timeout 60 "${PODMAN[@]}" kube down "$KT_DIR/pod.yaml" >/dev/null 2>&1 || true
	fi
	local p
	for p in $("${PODMAN[@]}" pod ps -q --filter "name=^$KT_NAME-pod-"); do
		"${PODMAN[@]}" pod rm -f -t 0 "$p" >/dev/null 2>&1 || true
	done
	[ -z "$KT_DIR" ] || rm -rf "$KT_DIR"
}

# plan_get KEY... -> the rest of the first plan line starting with KEY...
plan_get() {
	awk -v k="$*" 'index($0, k " ") == 1 { print substr($0, length(k) + 2); exit }' "$KT_DIR/plan"
}

pod_ip() {  # $1 pod -> its address on the pod network
	local infra
	infra=$("${PODMAN[@]}" pod inspect --format '{{.InfraContainerID}}' "$1")
	"${PODMAN[@]}" inspect "$infra" |
		jq -r '.[0].NetworkSettings.Networks | to_entries[0].value.IPAddress // empty'
}

# GET http://$1$2 until 200 or $3 seconds pass; prints the seconds it took
wait_200() {
	local t0 code
	t0=$(date +%s.%N)
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1$2" || true)
		[ "$code" = 200 ] && { elapsed "$t0"; return 0; }
		awk -v a="$t0" -v b="$(date +%s.%N)" -v l="$3" 'BEGIN{exit !(b - a < l)}' || break
		sleep 0.2
	done
	echo "$code"
	return 1
}

cmd_kube_test() {
	TEST_NAME=kube-test
	SUMMARY_IMAGES=("$IMAGE")
	SKIP_ON_NO_PODMAN=1
	prepare "$@"
	SKIP_ON_NO_PODMAN=0
	/usr/bin/python3 -c 'import yaml' 2>/dev/null || {
		[ "$NO_INSTALL" = 1 ] && die "python3-yaml missing (NO_INSTALL=1)"
		apt_install python3-yaml || die "apt-get install python3-yaml failed"
	}
	build_pwgend "$IMAGE"

	KT_NAME=pwgendkt$$
	KT_DIR=$(mktemp -d /tmp/pwgend-kube.XXXXXX)
	trap kube_cleanup EXIT
	/usr/bin/python3 scripts/kube-render.py "$KT_MANIFEST" --image "$IMAGE" \
		--name "$KT_NAME" --yaml "$KT_DIR/pod.yaml" --plan "$KT_DIR/plan" ||
		die "scripts/kube-render.py $KT_MANIFEST failed"

	local out replicas pods pod c ip line kind path port allow took n
	out=$(mktemp -p "$KT_DIR")
	log "podman kube play $KT_MANIFEST as $KT_NAME (image $IMAGE)"
	if ! timeout 120 "${PODMAN[@]}" kube play "$KT_DIR/pod.yaml" >"$out" 2>&1; then
		tail -20 "$out" >&2
		fail "podman kube play $KT_MANIFEST"
		summary
	fi
	replicas=$(plan_get replicas)
	mapfile -t pods < <("${PODMAN[@]}" pod ps --format '{{.Name}}' \
		--filter "name=^$KT_NAME-pod-" | LC_ALL=C sort)
	n=0
	for pod in "${pods[@]}"; do
		[ "$("${PODMAN[@]}" inspect --format '{{.State.Status}}' "$pod-pwgend" 2>/dev/null)" = running ] &&
			n=$((n + 1))
	done
	if [ "$n" -eq "$replicas" ] && [ "${#pods[@]}" -eq "$replicas" ]; then
		pass "podman kube play: $replicas pods (replicas: $replicas), container pwgend running in each"
	else
		fail "podman kube play: ${#pods[@]} pods, $n running, expected $replicas"
		summary
	fi

	# Each pod: every probe of the manifest answers 200 within the time
	# the probe allows, and the public port serves passwords.
	local http_port admin_port scrape_port ips=() errs
	http_port=$(plan_get port http)
	admin_port=$(plan_get port admin)
	for pod in "${pods[@]}"; do
		ip=$(pod_ip "$pod")
		[ -n "$ip" ] || { fail "$pod: no address on the pod network"; continue; }
		ips+=("$ip")
		errs=()
		local probes=()
		while read -r line; do
			read -r kind path port allow <<<"$line"
			if took=$(wait_200 "$ip:$port" "$path" "$allow"); then
				probes+=("$kind $path :$port ${took}s")
			else
				errs+=("$kind GET $path on :$port -> $took after ${allow}s")
			fi
		done < <(grep '^probe ' "$KT_DIR/plan" | cut -d' ' -f2-)
		if [ ${#errs[@]} -eq 0 ] && [ ${#probes[@]} -ge 3 ]; then
			pass "$pod ($ip): probes 200: ${probes[*]}"
		else
			fail "$pod ($ip): ${errs[*]:-fewer than 3 probes in the manifest}"
			"${PODMAN[@]}" logs "$pod-pwgend" 2>&1 | tail -5 >&2 || true
		fi
		out=$(curl -s --max-time 5 "http://$ip:$http_port/password?quantity=5" || true)
		if jq -e '.kind == "password" and (.items | length) == 5' <<<"$out" >/dev/null 2>&1; then
			pass "$pod: GET /password?quantity=5 on :$http_port -> 5 items"
		else
			fail "$pod: GET /password?quantity=5 on :$http_port -> $(head -c 200 <<<"$out")"
		fi
	done
	[ ${#ips[@]} -gt 0 ] || summary
	pod=${pods[0]}
	c=$pod-pwgend
	ip=${ips[0]}

	# The admin port serves what Prometheus is told to scrape; the public
	# port (the Service's) does not.
	scrape_port=$(plan_get scrape)
	local m_admin m_public
	m_admin=$(curl -s -o "$KT_DIR/metrics" -w '%{http_code}' --max-time 5 "http://$ip:$scrape_port/metrics" || true)
	m_public=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ip:$http_port/metrics" || true)
	if [ "$scrape_port" = "$admin_port" ] && [ "$m_admin" = 200 ] &&
		grep -q '^pwgend_' "$KT_DIR/metrics" && [ "$m_public" = 404 ]; then
		pass "prometheus.io/port $scrape_port: /metrics 200 on the admin port, 404 on :$http_port"
	else
		fail "scrape port ${scrape_port:-none} (admin ${admin_port:-none}): /metrics -> $m_admin there, $m_public on :$http_port"
	fi

	# env as the manifest sets it, and JSON logs
	local env want missing=()
	env=$("${PODMAN[@]}" inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$c")
	while read -r line; do
		want=${line/ /=}
		grep -qxF "$want" <<<"$env" || missing+=("$want")
	done < <(grep '^env ' "$KT_DIR/plan" | cut -d' ' -f2-)
	if [ ${#missing[@]} -eq 0 ] && grep -qx 'PWGEND_LOG_FORMAT=json' <<<"$env"; then
		pass "env as in the manifest: $(grep '^env ' "$KT_DIR/plan" | cut -d' ' -f2 | tr '\n' ' ')"
	else
		fail "env: missing ${missing[*]:-PWGEND_LOG_FORMAT=json}"
	fi

	# securityContext, as podman applied it
	check_hardening "$c" "$pod"

	# resources: the limits podman set, and the memory bound under load
	local mem cpu want_mem want_cpu
	mem=$("${PODMAN[@]}" inspect --format '{{.HostConfig.Memory}}' "$c")
	cpu=$("${PODMAN[@]}" inspect --format '{{.HostConfig.CpuQuota}} {{.HostConfig.CpuPeriod}}' "$c" |
		awk '$2 > 0 {printf "%d", $1 * 1000 / $2}')
	want_mem=$(plan_get limit memory)
	want_cpu=$(plan_get limit cpu)
	if [ "$mem" = "$want_mem" ] && [ "$cpu" = "$want_cpu" ]; then
		pass "limits applied: memory $((mem / 1048576)) MiB, cpu ${cpu}m"
	else
		fail "limits: memory $mem (want $want_mem), cpu ${cpu}m (want ${want_cpu}m)"
	fi
	memory_burst "$c" "$ip:$http_port" "$(plan_get request memory)"

	# The image's HEALTHCHECK command inside the pod. kube play does not
	# carry the image's HEALTHCHECK over, and wraps any probe of the
	# manifest in /bin/sh -c, so run it with exec (no shell needed).
	local hc_rc=0
	"${PODMAN[@]}" exec "$c" /usr/local/bin/pwgend --healthcheck >/dev/null 2>&1 || hc_rc=$?
	if [ "$hc_rc" -eq 0 ]; then
		pass "$pod: podman exec pwgend --healthcheck (the image's HEALTHCHECK) -> 0"
	else
		fail "$pod: podman exec pwgend --healthcheck -> $hc_rc"
	fi

	# The readiness probe during a drain, on another pod; then a plain
	# SIGTERM stop of the first, and kube down removes everything
	[ ${#pods[@]} -lt 2 ] || check_drain "${pods[-1]}-pwgend" "${ips[-1]}" "$http_port"
	check_stop "$c"
	if timeout 60 "${PODMAN[@]}" kube down "$KT_DIR/pod.yaml" >/dev/null 2>&1 &&
		[ -z "$("${PODMAN[@]}" pod ps -q --filter "name=^$KT_NAME-pod-")" ]; then
		pass "podman kube down: no pod left"
	else
		fail "podman kube down left pods behind"
	fi
	summary
}

# $1 container, $2 its address, $3 the public port: while a slow client
# holds a reply open, SIGTERM must turn the manifest's readiness probe 503
# at once (so Kubernetes takes the pod out of the Service while it drains);
# when the client goes, pwgend exits 0.
check_drain() {
	local slow stopper rpath rport code=000 rc t0 took
	read -r rpath rport _ <<<"$(plan_get probe readinessProbe)"
	curl -s -o /dev/null --limit-rate 100k --max-time 30 \
		"http://$2:$3/password?quantity=100000&length=100" &
	slow=$!
	sleep 0.5
	t0=$(date +%s.%N)
	"${PODMAN[@]}" stop -t 10 "$1" >/dev/null 2>&1 &
	stopper=$!
	for _ in $(seq 1 30); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$2:$rport$rpath" || true)
		[ "$code" = 503 ] && break
		sleep 0.1
	done
	took=$(elapsed "$t0")
	kill "$slow" 2>/dev/null || true
	wait "$slow" 2>/dev/null || true
	wait "$stopper" || true
	rc=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$1" 2>/dev/null || echo '?')
	if [ "$code" = 503 ] && [ "$rc" = 0 ]; then
		pass "${1%-pwgend}: SIGTERM with a reply in flight: readiness $rpath on :$rport -> 503 within ${took}s, exit 0"
	else
		fail "${1%-pwgend}: SIGTERM with a reply in flight: readiness $rpath on :$rport -> $code, exit $rc"
	fi
}

# $1 container, $2 host:port, $3 bytes: 64 requests for 40000 passwords,
# 64 at a time. Each reply (920 KB) is just under --stream-min-bytes, so it
# is built whole: 64 of them ask for more than the 48 MiB admission budget
# (larger replies would be streamed a chunk at a time and prove nothing).
# Peak RSS (VmHWM) must stay within $3 (the memory request: the measured
# bound), the container running, never OOM-killed under its limit; 503
# (admission) is an allowed answer.
memory_burst() {
	local pid codes hwm oom status
	pid=$("${PODMAN[@]}" inspect --format '{{.State.Pid}}' "$1")
	codes=$(seq 1 64 | xargs -P 64 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
		--max-time 60 "http://$2/password?quantity=40000" | sort | uniq -c |
		awk '{printf "%s%s x %s", sep, $1, $2; sep=", "}')
	hwm=$(awk '/^VmHWM:/{print $2 * 1024}' "/proc/$pid/status" 2>/dev/null || echo 0)
	oom=$("${PODMAN[@]}" inspect --format '{{.State.OOMKilled}}' "$1")
	status=$("${PODMAN[@]}" inspect --format '{{.State.Status}}' "$1")
	if [ "$status" = running ] && [ "$oom" = false ] && [ "${hwm:-0}" -gt 0 ] &&
		[ "$hwm" -le "$3" ] && [[ $codes != *000* ]] &&
		! grep -Eq '[0-9]+ x (5[0-24-9][0-9]|50[0-24-9]|4[0-9][0-9])' <<<"$codes"; then
		pass "64 x quantity=40000, all at once ($codes): peak RSS $((hwm / 1048576)) MiB <= request $(($3 / 1048576)) MiB, not OOM-killed"
	else
		fail "memory burst ($codes): peak RSS $((hwm / 1048576)) MiB (request $(($3 / 1048576)) MiB), status $status, OOMKilled $oom"
	fi
}

case ${1:-} in
build) shift; cmd_build "$@" ;;
test) shift; cmd_test "$@" ;;
base) shift; prepare "$@"; log "tools and $BASE_TAG ready" ;;
nginx) shift; cmd_nginx "$@" ;;
compose-test) shift; cmd_compose_test "$@" ;;
kube-test) shift; cmd_kube_test "$@" ;;
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac
