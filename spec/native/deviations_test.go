package native

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/spec"
)

// Every known deviation names a scenario that exists, runs on real
// Winsock, and has each of the listed steps, with its evidence written.
func TestDeviationsMatchSteps(t *testing.T) {
	for _, d := range Deviations {
		sc, err := spec.ParseFile(filepath.Join("..", "scenarios", filepath.FromSlash(d.Scenario)))
		if err != nil {
			t.Errorf("%s: %v", d.Scenario, err)
			continue
		}
		if ok, why := Applies(sc); !ok {
			t.Errorf("%s: listed as a Wine deviation but not run on real Winsock (%s)", d.Scenario, why)
		}
		if d.What == "" || d.Evidence == "" || len(d.Steps) == 0 {
			t.Errorf("%s: an entry needs steps, what Wine does and the evidence", d.Scenario)
		}
		for _, s := range d.Steps {
			if !hasStep(sc, s) && s != "(run)" {
				t.Errorf("%s: no step %q", d.Scenario, s)
			}
		}
	}
}

func TestSameCall(t *testing.T) {
	if !SameCall("WSASendMsg w hi ov1 nullname namelen=16", "WSASendMsg w hi ov1 namelen=16 nullname") {
		t.Error("keyword order should not matter")
	}
	if SameCall("CancelIoEx p.r", "CancelIoEx p.r rd") || SameCall("settle", "SleepEx 0") {
		t.Error("different calls matched")
	}
}

// The README's table of known deviations names every scenario the list
// has.
func TestREADMEListsDeviations(t *testing.T) {
	sec := realWinsockSection(t)
	for _, d := range Deviations {
		name := strings.TrimSuffix(d.Scenario, ".scenario")
		if !strings.Contains(sec, name) {
			t.Errorf("README's known-deviations table does not name %s", name)
		}
	}
}

// Issue 11, item 3: every entry carries its evidence by the README's
// rule: a Wine test (file and function), or the plain statement that it
// rests on a page only; none cites a file outside the repository.
func TestDeviationsEvidence(t *testing.T) {
	for _, d := range Deviations {
		ev := d.Evidence
		wine := strings.Contains(ev, "dlls/") && strings.Contains(ev, "test_")
		page := strings.HasPrefix(ev, "evidence: page only, unproven")
		// A Windows-only test of another public project, run on Windows
		// by its CI, is a Windows observation too; it is cited by URL.
		other := strings.HasPrefix(ev, "Windows observation:") && strings.Contains(ev, "https://github.com/") && strings.Contains(ev, "test")
		if !wine && !page && !other {
			t.Errorf("%s: evidence names no Wine test function and does not say it is page only: %q", d.Scenario, ev)
		}
		if strings.Contains(ev, "ground"+"-truth") || strings.Contains(ev, "shared"+"/") {
			t.Errorf("%s: evidence cites a file outside the repository: %q", d.Scenario, ev)
		}
	}
}

// hasStep reports whether the scenario has a step written as call
// ("settle" for a settle step).
func hasStep(sc *spec.Scenario, call string) bool {
	for _, st := range sc.Steps {
		text := st.Call.String()
		if st.Call.Name == "settle" {
			text = "settle"
		}
		if SameCall(call, text) {
			return true
		}
	}
	return false
}

// realWinsockSection returns the README's section "Checking against real
// Winsock", where the deviation and unsettled lists are written out.
func realWinsockSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "## Checking against real Winsock")
	if i < 0 {
		t.Fatal("README has no \"Checking against real Winsock\" section")
	}
	sec := text[i+3:]
	if j := strings.Index(sec, "\n## "); j >= 0 {
		sec = sec[:j]
	}
	return sec
}
