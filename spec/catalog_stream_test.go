package spec

import (
	"strings"
	"testing"
)

// streamClause reports whether a clause is one of catalog_stream.go's.
func streamClause(c Clause) bool {
	switch c.Page {
	case pgListen, pgAccept, pgConnect, pgShutdown, pgClosesocket, "bind":
		return true
	}
	return strings.HasPrefix(c.ID, "wsarecv.stream.") || strings.HasPrefix(c.ID, "wsasend.stream.")
}

// TestStreamClausesCovered checks the promise of the stream-socket
// catalogue: every clause is covered by a scenario (spec/scenarios/tcp,
// spec/scenarios/wine/sock) or a Go test, each scenario naming it parses,
// and the IDs carry their page's prefix.
func TestStreamClausesCovered(t *testing.T) {
	scs := parseCorpus(t)
	cov, _ := ComputeCoverage(scs)
	n := 0
	for _, c := range cov {
		if !streamClause(c.Clause) {
			continue
		}
		n++
		if !strings.HasPrefix(c.ID, strings.ToLower(c.Page)+".") && !strings.HasPrefix(c.ID, "wsarecv.") && !strings.HasPrefix(c.ID, "wsasend.") {
			t.Errorf("%s: page %s wants IDs starting %q", c.ID, c.Page, strings.ToLower(c.Page)+".")
		}
		if !c.Covered() {
			t.Errorf("%s: no scenario and no Go test", c.ID)
		}
	}
	if n < 30 {
		t.Errorf("only %d stream clauses", n)
	}
}
