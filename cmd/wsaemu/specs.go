package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wsaemu/wsaemu/spec"
)

func cmdSpec(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("spec", "", stderr, "Print the clause catalogue: every normative statement of the pages, its\nkind, its source page and what covers it (scenarios, tests, or a written\nreason).")
	addWidthFlag(fs)
	format := fs.String("format", "table", "table, csv or json")
	uncovered := fs.Bool("uncovered", false, "list only clauses nothing covers (exit 1 if any lacks a reason)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wsaemu spec: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	scs, code := load(nil, stderr)
	if code != 0 {
		return code
	}
	cov, unknown := spec.ComputeCoverage(scs)
	for _, u := range unknown {
		fmt.Fprintf(stderr, "wsaemu spec: %s\n", u)
	}
	if *uncovered {
		var keep []spec.Coverage
		for _, c := range cov {
			if !c.Covered() {
				keep = append(keep, c)
			}
		}
		cov = keep
	}
	status := func(c spec.Coverage) string {
		switch {
		case len(c.Scenarios) > 0 && len(c.Tests) > 0:
			return fmt.Sprintf("%d scenario(s), %d test(s)", len(c.Scenarios), len(c.Tests))
		case len(c.Scenarios) > 0:
			return fmt.Sprintf("%d scenario(s)", len(c.Scenarios))
		case len(c.Tests) > 0:
			return fmt.Sprintf("%d test(s)", len(c.Tests))
		case c.Uncovered != "":
			return "not covered: " + c.Uncovered
		}
		return "NOT COVERED, NO REASON"
	}
	// The Wine assertion ledger: how many Windows-verified assertions
	// the corpus holds and how many wait for a feature.
	ledger, ledgerErrs := spec.LoadLedger()
	for _, e := range ledgerErrs {
		fmt.Fprintf(stderr, "wsaemu spec: %v\n", e)
	}
	wine := spec.SummarizeLedger(ledger)
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Clauses []spec.Coverage    `json:"clauses"`
			Wine    spec.LedgerSummary `json:"wine"`
		}{cov, wine})
	case "csv":
		w := csv.NewWriter(stdout)
		w.Write([]string{"id", "kind", "page", "text", "profile", "scenarios", "tests", "uncovered"})
		for _, c := range cov {
			w.Write([]string{c.ID, string(c.Kind), c.Page, c.Text, c.Profile, strings.Join(c.Scenarios, " "), strings.Join(c.Tests, " "), c.Uncovered})
		}
		w.Flush()
	case "table":
		// One block per clause, wrapped to the output width: its id, kind
		// and page, then (indented) what covers it and its text.
		width := terminalWidth()
		fmt.Fprintf(stdout, "CLAUSE  KIND  PAGE\n    COVERAGE\n    TEXT\n\n")
		for _, c := range cov {
			for _, l := range wrapText(fmt.Sprintf("%s  %s  %s", c.ID, c.Kind, c.Page), width) {
				fmt.Fprintln(stdout, l)
			}
			for _, l := range wrapText(status(c), width-4) {
				fmt.Fprintln(stdout, "    "+l)
			}
			for _, l := range wrapText(c.Text, width-4) {
				fmt.Fprintln(stdout, "    "+l)
			}
			fmt.Fprintln(stdout)
		}
		covered := 0
		for _, c := range cov {
			if c.Covered() {
				covered++
			}
		}
		fmt.Fprintf(stdout, "%d clauses, %d covered by a scenario or test, %d with a written reason\n", len(cov), covered, len(cov)-covered)
		for _, l := range wrapText(wineSummary(wine), width) {
			fmt.Fprintln(stdout, l)
		}
	default:
		fmt.Fprintf(stderr, "wsaemu spec: -format must be table, csv or json\n")
		return exitUsage
	}
	for _, c := range cov {
		if !c.Covered() && c.Uncovered == "" {
			return exitFailed
		}
	}
	if len(unknown) > 0 || len(ledgerErrs) > 0 {
		return exitFailed
	}
	return exitOK
}

// wineSummary says in a few lines what the ledger holds.
func wineSummary(s spec.LedgerSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Wine conformance tests (Windows-verified assertions, spec/wine/*.ledger): %d examined, %d held by %d scenarios (%d of them todo_wine in Wine), %d left for want of a feature", s.Examined, s.Held, s.Scenarios, s.Deviations, s.Left)
	if len(s.ByFeature) > 0 {
		var parts []string
		for _, f := range s.ByFeature {
			parts = append(parts, fmt.Sprintf("%s %d", f.Feature, f.Count))
		}
		b.WriteString(": " + strings.Join(parts, ", "))
	}
	return b.String()
}
