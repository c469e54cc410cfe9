#!/usr/bin/env bash
# same-traces.sh — check that a change of structure changed no behaviour:
# the trace of every corpus scenario, under both provider kinds, both
# profiles and a few seeds, must be byte-identical between a base revision
# and the working tree, and so must the corpus check and an exploration.
#
# Usage: scripts/same-traces.sh [BASE-REV]   (default: HEAD~1)
# Seeds: SEEDS="0 7 99" (0 is "as Windows usually does").
set -euo pipefail

cd "$(dirname "$0")/.."
BASE=${1:-HEAD~1}
SEEDS=${SEEDS:-0 7 99}
GO=${GO:-go}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The base is built from an export of its tree, so the repository's
# worktrees and index are left alone.
mkdir -p "$TMP/base"
git archive "$BASE" | tar -x -C "$TMP/base"
(cd "$TMP/base" && "$GO" build -o "$TMP/wsaemu-base" ./cmd/wsaemu)
"$GO" build -o "$TMP/wsaemu-new" ./cmd/wsaemu

fail=0
compare() { # name, then the arguments of one wsaemu command
	local name=$1
	shift
	"$TMP/wsaemu-base" "$@" >"$TMP/$name.base" 2>&1 || true
	"$TMP/wsaemu-new" "$@" >"$TMP/$name.new" 2>&1 || true
	if cmp -s "$TMP/$name.base" "$TMP/$name.new"; then
		echo "same   $name ($(wc -c <"$TMP/$name.new") bytes)"
	else
		echo "DIFFER $name"
		diff "$TMP/$name.base" "$TMP/$name.new" | head -20
		fail=1
	fi
}
for s in $SEEDS; do
	compare "traces-seed$s" run -format json -kind all -profile all -seed "$s" spec/scenarios
done
compare check check spec/scenarios
compare explore explore -seeds 20 spec/scenarios
exit $fail
