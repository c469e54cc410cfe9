#!/usr/bin/env bash
# trace-compare.sh — prove that a change of the code changed no behaviour:
# build cmd/wsaemu at BASE_REV (in a temporary git worktree) and from the
# working tree, run both over the scenario corpus under several seeds,
# provider kinds, profiles and output formats, and compare the outputs
# byte for byte. The corpus is the one at BASE_REV, so scenarios added
# since do not count as differences.
#
#   scripts/trace-compare.sh BASE_REV [SCENARIO-DIR]
#
# Exit 0: every output identical. Exit 1: a difference; the first
# differing scenario and run are named, with the first differing lines.
# Exit 2: the script could not run (bad revision, build failure).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BASE_REV [SCENARIO-DIR]" >&2
	exit 2
fi
BASE=$1
cd "$(dirname "$0")/.."
ROOT=$(pwd)
GO=${GO:-go}

if ! git rev-parse --verify --quiet "$BASE^{commit}" >/dev/null; then
	echo "trace-compare: unknown revision $BASE" >&2
	exit 2
fi

TMP=$(mktemp -d)
WT="$TMP/base"
cleanup() {
	git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

git -C "$ROOT" worktree add --detach --quiet "$WT" "$BASE" || exit 2
(cd "$WT" && "$GO" build -o "$TMP/wsaemu-base" ./cmd/wsaemu) || { echo "trace-compare: cannot build $BASE" >&2; exit 2; }
"$GO" build -o "$TMP/wsaemu-new" ./cmd/wsaemu || { echo "trace-compare: cannot build the working tree" >&2; exit 2; }

# The corpus as it was at BASE_REV (or the directory given, relative to it).
CORPUS=${2:-spec/scenarios}
cd "$WT"

# Each run: a name and the arguments after the binary.
RUNS=(
	"json-seed0|run -format json -kind all -profile all"
	"json-seed7|run -format json -kind all -profile all -seed 7"
	"json-seed42|run -format json -kind all -profile all -seed 42"
	"text|run -format text -kind all -profile all"
	"text-seed3|run -format text -kind all -profile all -seed 3"
	"trace-seed11|run -format trace -kind all -profile all -seed 11"
	"check|check"
	"explore|explore -seeds 5"
)

status=0
for r in "${RUNS[@]}"; do
	name=${r%%|*}
	args=${r#*|}
	set +e
	# shellcheck disable=SC2086
	"$TMP/wsaemu-base" $args "$CORPUS" >"$TMP/$name.base" 2>&1
	rb=$?
	# shellcheck disable=SC2086
	"$TMP/wsaemu-new" $args "$CORPUS" >"$TMP/$name.new" 2>&1
	rn=$?
	set -e
	if [ $rb -ne $rn ]; then
		echo "trace-compare: $name: exit status $rb at $BASE, $rn now" >&2
		status=1
	fi
	if cmp -s "$TMP/$name.base" "$TMP/$name.new"; then
		echo "same  $name ($(wc -c <"$TMP/$name.base") bytes)"
		continue
	fi
	status=1
	echo "DIFF  $name" >&2
	# Name the first scenario whose output differs: rerun file by file.
	while IFS= read -r f; do
		set +e
		# shellcheck disable=SC2086
		a=$("$TMP/wsaemu-base" $args "$f" 2>&1)
		# shellcheck disable=SC2086
		b=$("$TMP/wsaemu-new" $args "$f" 2>&1)
		set -e
		if [ "$a" != "$b" ]; then
			echo "  first differing scenario: $f" >&2
			diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -20 >&2 || true
			break
		fi
	done < <(find "$CORPUS" -name '*.scenario' | sort)
done
if [ $status -eq 0 ]; then
	echo "trace-compare: identical to $BASE"
fi
exit $status
