#!/usr/bin/env bash
# wine-recorders.sh — record real runs under Wine and check them on Linux
# (issue 15, recorders).
#
# The Go recorder: cmd/wsaemu-record-demo, written against package windows,
# is built for Windows and run under wine64 with WSAEMU_TRACE naming a file;
# package windows then records each call it makes in the trace format
# (docs/trace-format.md). `wsaemu check-trace` must answer "permitted" for
# that trace, and "NOT permitted" for copies with a deliberate corruption
# (the port-completed receive reported one byte short; the completion
# routine's run dropped). Any answer going the other way fails the run.
#
# scripts/wine-test.sh calls it after the example programs, with WINE64,
# WINESERVER, WINEPREFIX, BUILD, BUILD_REL and GO in the environment. Run
# on its own it asks wine-test.sh for the steps it needs first
# (scripts/wine-test.sh --examples, which ends with this script).
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -z "${WINE64:-}" ] || [ -z "${WINEPREFIX:-}" ] || [ -z "${BUILD_REL:-}" ]; then
	exec bash scripts/wine-test.sh --examples
fi
GO=${GO:-go}
BUILD=${BUILD:-$(pwd)/$BUILD_REL}
log() { printf 'wine-recorders: %s\n' "$*" >&2; }

fail=0
exe="$BUILD_REL/wsaemu-record-demo.exe"
trace="$BUILD_REL/go-recorder.jsonl"
log "cross-compiling ./cmd/wsaemu-record-demo (GOOS=windows GOARCH=amd64)"
GOOS=windows GOARCH=amd64 "$GO" build -o "$exe" ./cmd/wsaemu-record-demo

# Go's net package does not start under Wine: the two receiving ports are
# found on Linux (Wine shares the host's loopback).
ports=$("$GO" run ./cmd/wsaemu-record-demo -free-ports)
log "running it ($ports) under $WINE64 with WSAEMU_TRACE=$trace"
rm -f "$trace" "$BUILD_REL"/go-recorder-*.jsonl
set +e
# Output to a file, never a pipe (Wine's services would hold it open). The
# trace path is relative to the tree: Wine maps the current directory.
# shellcheck disable=SC2086
WSAEMU_TRACE="$trace" timeout 120 "$WINE64" "$exe" $ports >"$BUILD/go-recorder.log" 2>&1
rc=$?
set -e
"${WINESERVER:-wineserver}" -k >/dev/null 2>&1 || true
cat "$BUILD/go-recorder.log"
if [ "$rc" -ne 0 ] || ! grep -q '^wsaemu-record-demo: OK' "$BUILD/go-recorder.log" || [ ! -s "$trace" ]; then
	log "the demo failed under Wine (exit $rc) or wrote no trace"
	exit 1
fi
log "recorded $(($(wc -l <"$trace") - 1)) records; checking them"

set +e
"$GO" run ./cmd/wsaemu check-trace "$trace" >"$BUILD/go-recorder.check" 2>&1
rc=$?
set -e
cat "$BUILD/go-recorder.check"
if [ "$rc" -ne 0 ] || ! grep -q '^permitted' "$BUILD/go-recorder.check"; then
	log "FAILED: the Go recorder's trace of the real run is not permitted (exit $rc)"
	fail=1
fi

# Deliberate corruptions, each a copy no schedule explains: the receive
# the port thread dequeued said it got 5 bytes ("world") and the copy says
# 4; the completion routine's run is dropped, so the alertable SleepEx
# returns WAIT_IO_COMPLETION with no routine run inside it.
corrupt() { # name, sed program
	local bad="$BUILD_REL/go-recorder-$1.jsonl" check="$BUILD/go-recorder-$1.check" rc
	sed -e "$2" "$trace" >"$bad"
	if cmp -s "$trace" "$bad"; then
		log "FAILED: corruption $1 changed nothing"
		fail=1
		return
	fi
	set +e
	"$GO" run ./cmd/wsaemu check-trace "$bad" >"$check" 2>&1
	rc=$?
	set -e
	cat "$check"
	if [ "$rc" -eq 0 ] || ! grep -q '^NOT permitted' "$check"; then
		log "FAILED: corrupted trace $bad was not rejected (exit $rc)"
		fail=1
	fi
}
corrupt bytes-short '/"fn":"GetQueuedCompletionStatus"/ s/"bytes":5,/"bytes":4,/'
corrupt routine-dropped '/"ev":"routine"/d'

if [ "$fail" -ne 0 ]; then
	exit 1
fi
log "the Go recorder's trace is permitted and both corrupted copies rejected"
