#!/usr/bin/env bash
# readme-figures.sh — rewrite the README's corpus and catalogue figures to
# what the tool computes today (the figures TestREADMEFigures checks).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test ./spec -run '^TestREADMEFigures$' -count=1 2>&1 || true)
{ grep -o 'should say "[^"]*"' <<<"$out" || true; } | sed 's/^should say "//; s/"$//' | while IFS= read -r want; do
	case "$want" in
	*"runs over the kinds"*) re='\([0-9]* scenarios, [0-9]* runs over the kinds and profiles each names\)' ;;
	*"covered by a scenario"*) re='\([0-9]*: [0-9]* covered by a scenario or test, [0-9]* with a written reason why not\)' ;;
	*) echo "readme-figures: unknown figure: $want" >&2; exit 1 ;;
	esac
	python3 - "$re" "$want" <<'PY'
import re, sys
pat, want = sys.argv[1], sys.argv[2]
s = open("README.md").read()
s2, n = re.subn(pat.replace("\\(", "\\(").replace("\\)", "\\)"), want, s)
if n != 1:
    sys.exit("readme-figures: %d matches for %s" % (n, pat))
open("README.md", "w").write(s2)
PY
	echo "README: $want"
done
go test ./spec -run '^TestREADMEFigures$' -count=1 >/dev/null && echo "README figures agree"
