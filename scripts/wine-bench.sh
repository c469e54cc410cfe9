#!/usr/bin/env bash
# wine-bench.sh — time the spec/emulated Cycle benchmark on the emulator and
# on real Winsock (Wine's ws2_32) in ONE process, and print the ratio.
#
# The test binary is built with GOOS=windows, so bench_windows_test.go adds
# the "native" backend next to "emulator" and "emulator-quiet"; all three
# run under wine64 in the same process, on the same machine, at the same
# moment. Called by scripts/wine-test.sh --bench, which sets up wine64 and
# the prefix and exports WINE64, BUILD, BUILD_REL and GO.
#
# Env: WINE_BENCH_COUNT (default 5) runs of each sub-benchmark; the ratio
# uses the best (lowest) ns/op of each.
set -euo pipefail
: "${WINE64:?run through scripts/wine-test.sh --bench}" "${BUILD:?}" "${BUILD_REL:?}"
GO=${GO:-go}
COUNT=${WINE_BENCH_COUNT:-5}
log() { printf 'wine-bench: %s\n' "$*" >&2; }

log "cross-compiling the spec/emulated test binary (GOOS=windows GOARCH=amd64)"
GOOS=windows GOARCH=amd64 "$GO" test -c -o "$BUILD/spec-emulated.test.exe" ./spec/emulated
log "running BenchmarkCycle under $WINE64 (count $COUNT)"
# Output to a file, never a pipe (Wine's services would hold it open).
"$WINE64" "$BUILD_REL/spec-emulated.test.exe" -test.run '^$' -test.bench '^BenchmarkCycle$' \
	-test.benchmem -test.count "$COUNT" >"$BUILD/bench.txt" 2>&1 || { cat "$BUILD/bench.txt" >&2; exit 1; }
tr -d '\r' <"$BUILD/bench.txt" | grep '^BenchmarkCycle' || { cat "$BUILD/bench.txt" >&2; exit 1; }
tr -d '\r' <"$BUILD/bench.txt" | awk '
/^BenchmarkCycle\// {
	split($1, p, "/"); name = p[2]; sub(/-[0-9]+$/, "", name)
	ns = $3 + 0
	if (!(name in best) || ns < best[name]) best[name] = ns
}
END {
	if (!("native" in best)) { print "wine-bench: no native figure" > "/dev/stderr"; exit 1 }
	for (n in best) if (n != "native")
		printf "wine-bench: best native %.0f ns / best %s %.0f ns = %.0fx\n", best["native"], n, best[n], best["native"] / best[n]
}' | sort
