#!/usr/bin/env bash
# wine-recorders-c.sh — build the C recorder (recorder/c) into its demo
# program, run the demo under Wine, and check the trace it wrote:
#
#   1. compiles recorder/c/demo.c with recorder/c/wsaemu_trace.c
#      (x86_64-w64-mingw32-gcc, -lws2_32) and runs it under wine64; the demo
#      must print "demo: OK" and exit 0;
#   2. `wsaemu check-trace` must find the trace permitted;
#   3. a copy with one completion's byte count changed (the packet
#      GetQueuedCompletionStatus dequeued says 4 bytes, not 3) must be
#      answered NOT permitted with a non-zero exit.
#
# scripts/wine-test.sh calls it once it has the Wine prefix, with WINE64,
# WINESERVER, WINEPREFIX, BUILD, BUILD_REL and GO in the environment. Run
# on its own it asks wine-test.sh for the tools and the prefix and just this
# part: scripts/wine-test.sh --recorders-c.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -z "${WINE64:-}" ] || [ -z "${WINEPREFIX:-}" ] || [ -z "${BUILD_REL:-}" ]; then
	exec bash scripts/wine-test.sh --recorders-c
fi
GO=${GO:-go}
BUILD=${BUILD:-$(pwd)/$BUILD_REL}
log() { printf 'wine-recorders-c: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

exe="$BUILD_REL/recorder-c-demo.exe"
log "compiling recorder/c/demo.c and recorder/c/wsaemu_trace.c (x86_64-w64-mingw32-gcc)"
x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -o "$exe" \
	recorder/c/demo.c recorder/c/wsaemu_trace.c -lws2_32

trace="$BUILD_REL/recorder-c-demo.jsonl"
rm -f "$trace"
log "running the demo under $WINE64"
# Output to a file, never a pipe (Wine's services would hold it open); a
# run that takes more than two minutes has hung.
set +e
timeout 120 "$WINE64" "$exe" "$trace" >"$BUILD/recorder-c-demo.log" 2>&1
rc=$?
set -e
"${WINESERVER:-wineserver}" -k >/dev/null 2>&1 || true
cat "$BUILD/recorder-c-demo.log"
[ "$rc" -eq 0 ] && grep -q '^demo: OK' "$BUILD/recorder-c-demo.log" || fail "the demo FAILED (exit $rc)"
[ -s "$trace" ] || fail "the demo wrote no trace"
log "the demo wrote $(wc -l <"$trace") lines to $trace"

log "checking the trace against the model"
"$GO" run ./cmd/wsaemu check-trace "$trace" >"$BUILD/recorder-c-check.txt" 2>&1 ||
	{ cat "$BUILD/recorder-c-check.txt" >&2; fail "check-trace did not permit the demo's trace"; }
head -n 1 "$BUILD/recorder-c-check.txt" >&2
grep -q '^permitted' "$BUILD/recorder-c-check.txt" || fail "check-trace did not say permitted"

# The corruption: the dequeued packet of the port's receive ("two", 3
# bytes) claims 4 bytes. No schedule gives that, so check-trace must say
# NOT permitted and exit non-zero.
bad="$BUILD_REL/recorder-c-demo-corrupt.jsonl"
sed '/"fn":"GetQueuedCompletionStatus"/s/"out":{"bytes":3,/"out":{"bytes":4,/' "$trace" >"$bad"
if cmp -s "$trace" "$bad"; then fail "the corruption changed nothing (no 3-byte GetQueuedCompletionStatus in the trace)"; fi
log "checking a copy with a wrong byte count (must be rejected)"
set +e
"$GO" run ./cmd/wsaemu check-trace "$bad" >"$BUILD/recorder-c-corrupt.txt" 2>&1
rc=$?
set -e
head -n 3 "$BUILD/recorder-c-corrupt.txt" >&2
[ "$rc" -ne 0 ] || fail "check-trace accepted the corrupted trace (exit 0)"
grep -q '^NOT permitted' "$BUILD/recorder-c-corrupt.txt" || fail "check-trace did not answer NOT permitted for the corrupted trace (exit $rc)"
log "OK: the demo's trace is permitted and the corrupted copy is not"
