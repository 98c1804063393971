#!/usr/bin/env bash
# validate-k8s.sh - lint and validate pwgend's deployment YAML offline (no
# cluster, no container registry; only Debian packages and the npm registry).
#
#   scripts/validate-k8s.sh          (make k8s-lint)
#
#   1. yamllint --strict (Debian package) on docker/compose.yaml and
#      docker/k8s/*.yaml;
#   2. docker/k8s/validate.mjs (npm ci in docker/k8s, versions pinned in its
#      package-lock.json): Kubernetes OpenAPI schemas (kubernetes-models),
#      unknown/misspelt fields (TypeScript against kubernetes-types), the
#      deployment policy (probes on the admin port, JSON logs,
#      securityContext, resources against the measured memory bound, HPA
#      target, shell-free preStop, zone and node spread, Service/HPA/PDB/
#      NetworkPolicy wiring), then a self-test that breaks copies on purpose;
#   3. if kubectl is on the machine: `kubectl kustomize docker/k8s` renders
#      the whole set offline (what `kubectl apply -k docker/k8s` would send).
# Installs yamllint, nodejs and npm with apt-get when missing.

set -euo pipefail

cd "$(dirname "$0")/.."

PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "PASS $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $*"; }

need=()
command -v yamllint >/dev/null 2>&1 || need+=(yamllint)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	echo "validate-k8s: installing ${need[*]}"
	"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 \
		install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 1. yamllint, default rules, warnings count as errors
yaml_files=(docker/compose.yaml docker/k8s/*.yaml)
if yamllint --strict "${yaml_files[@]}"; then
	pass "yamllint $(yamllint --version | awk '{print $2}') --strict: ${#yaml_files[@]} files"
else
	fail "yamllint --strict"
fi

# 2. schema, fields, policy (+ self-test), with the pinned npm packages
k8s=docker/k8s
if [ ! -f "$k8s/node_modules/.package-lock.json" ] ||
	[ "$k8s/package-lock.json" -nt "$k8s/node_modules/.package-lock.json" ]; then
	echo "validate-k8s: npm ci in $k8s"
	(cd "$k8s" && npm ci --no-audit --no-fund --loglevel=error) || {
		fail "npm ci in $k8s"
		echo "k8s-lint: $PASSES passed, $FAILS failed"
		exit 1
	}
fi
out=$(node "$k8s/validate.mjs" --self-test) && rc=0 || rc=$?
printf '%s\n' "$out" | grep -v '^k8s-lint:' | sed 's/^/  /'
if [ "$rc" -eq 0 ]; then
	pass "docker/k8s/validate.mjs: schema, fields, policy, self-test"
else
	fail "docker/k8s/validate.mjs (exit $rc)"
fi

# 3. offline render with kustomize, where kubectl exists (it is not in
#    Debian bookworm; never installed here). `kubectl kustomize` contacts no
#    server.
if command -v kubectl >/dev/null 2>&1; then
	if rendered=$(timeout 60 kubectl kustomize "$k8s" 2>&1); then
		kinds=$(printf '%s\n' "$rendered" | awk '/^kind:/{printf "%s ", $2}')
		if [ "$(printf '%s\n' "$rendered" | grep -c '^kind:')" -eq 5 ]; then
			pass "kubectl kustomize $k8s: $kinds"
		else
			fail "kubectl kustomize $k8s rendered: $kinds (expected 5 objects)"
		fi
	else
		printf '%s\n' "$rendered" | tail -5
		fail "kubectl kustomize $k8s"
	fi
else
	echo "note: kubectl not installed, kustomize render skipped"
fi

echo "k8s-lint: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
