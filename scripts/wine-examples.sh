#!/usr/bin/env bash
# wine-examples.sh — build the example programs in examples/ for Windows and
# run each one, unchanged, on real Winsock under Wine. Each prints an OK line
# and exits 0, or says what went wrong and exits non-zero; this script fails
# when any does.
#
# scripts/wine-test.sh calls it after it has made the Wine prefix (and the
# bcryptprimitives.dll forwarder Go's runtime needs), with WINE64,
# WINESERVER, WINEPREFIX, BUILD, BUILD_REL and GO in the environment. Run on
# its own it asks wine-test.sh for just that part: scripts/wine-test.sh --examples.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -z "${WINE64:-}" ] || [ -z "${WINEPREFIX:-}" ] || [ -z "${BUILD_REL:-}" ]; then
	exec bash scripts/wine-test.sh --examples
fi
GO=${GO:-go}
BUILD=${BUILD:-$(pwd)/$BUILD_REL}
log() { printf 'wine-examples: %s\n' "$*" >&2; }

# Each example: its main package and its arguments.
EXAMPLES=(
	"iocpecho ./examples/iocpecho/cmd/iocpecho"
	"udproutine ./examples/udproutine/cmd/udproutine"
	"connecttimeout ./examples/connecttimeout/cmd/connecttimeout"
)

fail=0
for e in "${EXAMPLES[@]}"; do
	read -r name pkg args <<<"$e"
	exe="$BUILD_REL/example-$name.exe"
	log "cross-compiling $pkg (GOOS=windows GOARCH=amd64)"
	GOOS=windows GOARCH=amd64 "$GO" build -o "$exe" "$pkg"
	log "running $name under $WINE64"
	# Output goes to a file, never a pipe (Wine's services would hold it
	# open); a run that takes more than two minutes has hung.
	set +e
	# shellcheck disable=SC2086
	timeout 120 "$WINE64" "$exe" $args >"$BUILD/example-$name.log" 2>&1
	rc=$?
	set -e
	cat "$BUILD/example-$name.log"
	if [ "$rc" -ne 0 ] || ! grep -q "^$name: OK" "$BUILD/example-$name.log"; then
		log "$name FAILED (exit $rc)"
		fail=1
	fi
done
"${WINESERVER:-wineserver}" -k >/dev/null 2>&1 || true
if [ "$fail" -ne 0 ]; then
	log "some examples failed under Wine"
	exit 1
fi
log "all ${#EXAMPLES[@]} examples passed on Wine"
