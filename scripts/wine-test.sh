#!/usr/bin/env bash
# wine-test.sh — run the scenario corpus on real Winsock (Wine's ws2_32 and
# kernel32) and compare every result with the emulator's.
#
#   1. installs wine64 and the MinGW binutils from Debian when missing;
#   2. makes a private WINEPREFIX under .wine-build/ (never committed);
#   3. builds bcryptprimitives.dll, a forwarder Go's runtime needs and
#      Wine 8 lacks (ProcessPrng -> advapi32.SystemFunction036);
#   4. builds the example programs (examples/*/cmd) for Windows and runs
#      each under wine64 (scripts/wine-examples.sh); any failure fails the run;
#   5. cross-compiles cmd/wsaemu-native and runs it under wine64;
#   6. runs cmd/wsaemu-diff, which replays the same scenarios on the emulator
#      and writes .wine-build/report.md. It fails only on disagreements that
#      are not in the known-deviations list (spec/native/deviations.go).
#
# Usage: scripts/wine-test.sh [SCENARIO-PATH...]   (default: spec/scenarios)
#        scripts/wine-test.sh --examples           (steps 1-4 only)
#        scripts/wine-test.sh --bench              (steps 1-3, then the Cycle
#                                                   benchmark, scripts/wine-bench.sh)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
# WINE_BUILD (a directory inside the tree, default .wine-build) holds the
# prefix, the runner and the results; a new one starts from scratch.
BUILD_REL=${WINE_BUILD:-.wine-build}
case "$BUILD_REL" in /* | *..*) echo "wine-test: WINE_BUILD must be a path inside the tree" >&2; exit 2 ;; esac
BUILD="$ROOT/$BUILD_REL"
GO=${GO:-go}
mkdir -p "$BUILD"

log() { printf 'wine-test: %s\n' "$*" >&2; }

# --- 1. tools -------------------------------------------------------------
WINE64=""
for c in /usr/lib/wine/wine64 "$(command -v wine64 2>/dev/null || true)"; do
	if [ -n "$c" ] && [ -x "$c" ]; then WINE64=$c; break; fi
done
if [ -z "$WINE64" ] || ! command -v x86_64-w64-mingw32-ld >/dev/null 2>&1 ||
	! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
	log "installing wine64 and the MinGW binutils and gcc from Debian"
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq wine64 binutils-mingw-w64-x86-64 gcc-mingw-w64-x86-64 >"$BUILD/apt.log" 2>&1 ||
		{ cat "$BUILD/apt.log" >&2; exit 1; }
	WINE64=/usr/lib/wine/wine64
	[ -x "$WINE64" ] || WINE64=$(command -v wine64)
fi
WINESERVER=/usr/lib/wine/wineserver64
[ -x "$WINESERVER" ] || WINESERVER=$(command -v wineserver)

# --- 2. prefix --------------------------------------------------------------
export WINEPREFIX="$BUILD/prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	log "making the Wine prefix (first time only)"
	# Wine's services keep stdout/stderr open: send them to a file.
	"$WINE64" wineboot -i >"$BUILD/wineboot.log" 2>&1 || { cat "$BUILD/wineboot.log" >&2; exit 1; }
	"$WINESERVER" -w || true
fi
SYS32="$WINEPREFIX/drive_c/windows/system32"

# --- 3. bcryptprimitives.dll forwarder --------------------------------------
if [ ! -f "$SYS32/bcryptprimitives.dll" ]; then
	log "building the bcryptprimitives.dll forwarder"
	cat >"$BUILD/bcryptprimitives.def" <<'EOF'
LIBRARY bcryptprimitives.dll
EXPORTS ProcessPrng = advapi32.SystemFunction036
EOF
	: | x86_64-w64-mingw32-as -o "$BUILD/empty.o"
	x86_64-w64-mingw32-ld -shared --entry 0 -o "$BUILD/bcryptprimitives.dll" \
		"$BUILD/bcryptprimitives.def" "$BUILD/empty.o"
	cp "$BUILD/bcryptprimitives.dll" "$SYS32/"
fi

# --- 4. the example programs -------------------------------------------------
export WINE64 WINESERVER BUILD BUILD_REL GO
# The Cycle benchmark on the emulator and on Wine's ws2_32 in one process
# (--bench: only this; scripts/wine-bench.sh).
if [ "${1:-}" = --bench ]; then bash scripts/wine-bench.sh; exit 0; fi
# The C recorder's demo, traced and its trace checked (--recorders-c: only this).
bash scripts/wine-recorders-c.sh; if [ "${1:-}" = --recorders-c ]; then exit 0; fi
bash scripts/wine-examples.sh
# Recorders: a real run recorded under Wine, its trace checked (scripts/wine-recorders.sh).
bash scripts/wine-recorders.sh
if [ "${1:-}" = --examples ]; then exit 0; fi

# --- 5. the native run --------------------------------------------------------
log "cross-compiling cmd/wsaemu-native (GOOS=windows GOARCH=amd64)"
GOOS=windows GOARCH=amd64 "$GO" build -o "$BUILD/wsaemu-native.exe" ./cmd/wsaemu-native

if [ $# -eq 0 ]; then set -- spec/scenarios; fi
RESULTS="$BUILD/native.jsonl"
rm -f "$RESULTS"
log "running $* under $WINE64"
# Output goes to files, never a pipe (Wine's services would hold it open).
set +e
# Paths are relative to the tree: Wine maps the current directory.
"$WINE64" "$BUILD_REL/wsaemu-native.exe" -out "$BUILD_REL/native.jsonl" "$@" \
	>"$BUILD/native.log" 2>&1
rc=$?
set -e
"$WINESERVER" -k >/dev/null 2>&1 || true
if [ ! -s "$RESULTS" ]; then
	log "the native runner wrote no results (exit $rc); its log:"
	cat "$BUILD/native.log" >&2
	exit 1
fi
log "native runner exit $rc; $(wc -l <"$RESULTS") results"

# --- 6. the differential report ---------------------------------------------
"$GO" run ./cmd/wsaemu-diff -native "$RESULTS" -report "$BUILD/report.md" "$@"

# --- 7. trace check -----------------------------------------------------------
# Every recorded Wine run must be one the model permits: some schedule of the
# emulator gives each step exactly the result Wine gave (wsaemu check-trace).
# A step listed as a known Wine deviation ends the check of its run
# (-allow-deviations); details of any run not permitted go to stderr.
log "checking the recorded Wine runs against the model"
set +e
"$GO" run ./cmd/wsaemu check-trace -allow-deviations "$RESULTS" >"$BUILD/check-trace.txt"
rc=$?
set -e
awk '/^NOT permitted/ { p = 1; print; next } /^[^ ]/ { p = 0 } p' "$BUILD/check-trace.txt" >&2
tail -n 1 "$BUILD/check-trace.txt" >&2
[ "$rc" -eq 0 ] || { log "check-trace failed (exit $rc); see $BUILD/check-trace.txt"; exit 1; }
