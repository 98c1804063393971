#!/bin/sh
# report.sh - the `make stats` report (see tests/README.md, "Statistics").
#
#   report.sh PWGEND_BIN STATS_TOOL OUTDIR "DIEHARDER TEST NUMBERS"
#
# 1. stats.c: chi-square tests on live replies (p = 0.001), entropy per
#    character, and the sample files in OUTDIR;
# 2. Debian's ent: entropy of the raw characters (expected log2(k)) and the
#    full ent report on the packed byte stream;
# 3. a few dieharder tests, each reading a fresh packed stream from the
#    server on stdin (a 10 MB file would be rewound and its bytes reused).
#
# Exit status 1 if a chi-square test fails or dieharder says FAILED (WEAK,
# p < 0.005 or > 0.995, happens by chance in about 1 % of p-values).
set -u
bin=$1 tool=$2 dir=$3 tests=$4
status=0

echo "== chi-square on live replies (p = 0.001)"
PWGEND_BIN=$bin "$tool" "$dir" || status=1

if command -v ent >/dev/null 2>&1; then
	echo "== ent, raw characters: entropy per character (log2 k:" \
	     "pin 3.321928, password 5.954196, all 6.554589)"
	for f in pin password all; do
		printf '  %-9s ' "$f"
		ent "$dir/$f.txt" |
			sed -n 's/^Entropy = \(.*\) bits per byte./\1 bits per character/p'
	done
	echo "== ent, bytes.bin (the symbols sample, 5 bits per character)"
	ent "$dir/bytes.bin" | sed '/^$/d; s/^/  /'
else
	echo "== ent: not installed, skipped"
fi

if [ -n "$tests" ] && command -v dieharder >/dev/null 2>&1; then
	echo "== dieharder -g 200 (stdin: a fresh stream from the server)"
	for d in $tests; do
		PWGEND_BIN=$bin "$tool" --stream 2>/dev/null |
			dieharder -g 200 -d "$d" 2>&1
	done | awk -F'|' '
		/PASSED|WEAK|FAILED/ {
			gsub(/ /, "", $1); gsub(/ /, "", $6)
			name = $1; p = $5 + 0
			if (!(name in n)) { order[++k] = name; lo[name] = 1; hi[name] = 0 }
			n[name]++; res[name, $6]++
			if (p < lo[name]) lo[name] = p
			if (p > hi[name]) hi[name] = p
			if ($6 == "FAILED") failed = 1
		}
		END {
			for (i = 1; i <= k; i++) {
				m = order[i]
				printf "  %-22s %2d p-values in [%.4f, %.4f]  %d passed, %d weak, %d failed\n",
					m, n[m], lo[m], hi[m], res[m, "PASSED"], res[m, "WEAK"], res[m, "FAILED"]
			}
			exit failed
		}' || status=1
elif [ -n "$tests" ]; then
	echo "== dieharder: not installed, skipped"
fi
exit $status
