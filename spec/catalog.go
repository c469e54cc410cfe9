package spec

import (
	"fmt"
	"sort"
	"strings"
)

// ClauseKind says what sort of statement a clause is.
type ClauseKind string

const (
	// Required is behaviour the pages require.
	Required ClauseKind = "required"
	// Freedom is something the pages leave open: more than one outcome is
	// permitted (a Chooser decision in the emulator).
	Freedom ClauseKind = "freedom"
	// Undefined is usage the pages call undefined or erroneous (a
	// sanitizer finding).
	Undefined ClauseKind = "undefined"
)

// Clause is one normative statement of a page, in our own words.
type Clause struct {
	ID   string     // stable, e.g. "wsasendmsg.flags.invalid"
	Kind ClauseKind // required, freedom, undefined
	Page string     // the page it comes from, e.g. "WSASendMsg"
	Text string     // a one-line paraphrase
	// Profile notes a difference between the docs and windows profiles,
	// if the clause has one.
	Profile string
	// Tests names Go tests (package-qualified, e.g. "emu.TestWaitAnyLowestIndex")
	// that check the clause, besides any scenario that lists it.
	Tests []string
	// Uncovered is the written reason a clause has no scenario or test.
	Uncovered string
}

var catalog []Clause

// register adds clauses to the catalogue; the catalogue files call it
// from init.
func register(cs ...Clause) { catalog = append(catalog, cs...) }

// Catalog returns every clause, sorted by ID.
func Catalog() []Clause {
	out := append([]Clause(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds a clause by ID.
func Lookup(id string) (Clause, bool) {
	for _, c := range catalog {
		if c.ID == id {
			return c, true
		}
	}
	return Clause{}, false
}

// Coverage is one clause with what covers it.
type Coverage struct {
	Clause
	Scenarios []string
}

// Covered reports whether anything covers the clause.
func (c Coverage) Covered() bool { return len(c.Scenarios) > 0 || len(c.Tests) > 0 }

// ComputeCoverage joins the catalogue with the scenarios that list each
// clause. It also returns the clause IDs scenarios name that the catalogue
// lacks.
func ComputeCoverage(scenarios []*Scenario) ([]Coverage, []string) {
	by := map[string][]string{}
	var unknown []string
	for _, sc := range scenarios {
		for _, id := range sc.Clauses {
			if _, ok := Lookup(id); !ok {
				unknown = append(unknown, fmt.Sprintf("%s: unknown clause %q", sc.File, id))
				continue
			}
			by[id] = append(by[id], sc.File)
		}
	}
	var out []Coverage
	for _, c := range Catalog() {
		out = append(out, Coverage{Clause: c, Scenarios: by[c.ID]})
	}
	sort.Strings(unknown)
	return out, unknown
}

// CheckCatalog reports problems in the catalogue itself: duplicate or
// malformed IDs, missing fields, unknown kinds.
func CheckCatalog() []string {
	var bad []string
	seen := map[string]bool{}
	for _, c := range catalog {
		switch {
		case seen[c.ID]:
			bad = append(bad, "duplicate clause "+c.ID)
		case c.ID == "" || strings.ContainsAny(c.ID, " \t") || !strings.Contains(c.ID, "."):
			bad = append(bad, fmt.Sprintf("malformed clause id %q", c.ID))
		case c.Kind != Required && c.Kind != Freedom && c.Kind != Undefined:
			bad = append(bad, fmt.Sprintf("%s: unknown kind %q", c.ID, c.Kind))
		case c.Page == "" || c.Text == "":
			bad = append(bad, c.ID+": missing page or text")
		}
		seen[c.ID] = true
	}
	return bad
}
