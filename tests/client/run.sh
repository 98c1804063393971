#!/bin/sh
# The generated-client test (make client-test): TypeScript types from
# openapi.yaml with the pinned openapi-typescript, a small client program
# (client.mts, openapi-fetch) compiled by the pinned tsc with --strict, and
# run with node against the real binary on an ephemeral loopback port.
# Usage: tests/client/run.sh [BUILD]   (default build; work in BUILD/client)
set -eu

cd "$(dirname "$0")/../.."
BUILD=${1:-build}
OUT=$BUILD/client

# the pinned tools (the rule of scripts/lint-openapi.sh)
if [ ! -x node_modules/.bin/openapi-typescript ] ||
   [ ! -x node_modules/.bin/tsc ] ||
   [ ! -f node_modules/.package-lock.json ] ||
   [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
	npm ci --no-audit --no-fund
fi

rm -rf "$OUT"
mkdir -p "$OUT"
node_modules/.bin/openapi-typescript openapi.yaml \
	-c tests/client/redocly.yaml -o "$OUT/api.d.ts"
cp tests/client/client.mts tests/client/tsconfig.json "$OUT/"
node_modules/.bin/tsc -p "$OUT/tsconfig.json"
echo "client-test: $OUT/api.d.ts compiles with client.mts under tsc --strict"
scripts/with-server.sh "$BUILD/pwgend" sh -c 'node "$0/client.mjs" "$B"' "$OUT"
