package native

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/spec"
)

// Every unsettled step names a scenario that runs on real Winsock and a
// step it has, says what is open, and is not also a known Wine deviation
// (a step is either unknown on Windows or known to differ in Wine).
func TestUnsettledMatchSteps(t *testing.T) {
	for _, u := range UnsettledSteps {
		sc, err := spec.ParseFile(filepath.Join("..", "scenarios", filepath.FromSlash(u.Scenario)))
		if err != nil {
			t.Errorf("%s: %v", u.Scenario, err)
			continue
		}
		if ok, why := Applies(sc); !ok {
			t.Errorf("%s: listed as unsettled but not run on real Winsock (%s)", u.Scenario, why)
		}
		if u.Open == "" || len(u.Steps) == 0 {
			t.Errorf("%s: an entry needs steps and what is open", u.Scenario)
		}
		for _, s := range u.Steps {
			if !hasStep(sc, s) {
				t.Errorf("%s: no step %q", u.Scenario, s)
			}
			if FindDeviation(u.Scenario, s) != nil {
				t.Errorf("%s: step %q is both unsettled and a known Wine deviation", u.Scenario, s)
			}
		}
	}
}

// The README's section on real Winsock names every unsettled scenario.
func TestREADMEListsUnsettled(t *testing.T) {
	sec := realWinsockSection(t)
	for _, u := range UnsettledSteps {
		name := strings.TrimSuffix(u.Scenario, ".scenario")
		if !strings.Contains(strings.Join(strings.Fields(sec), " "), name) {
			t.Errorf("README does not list the unsettled scenario %s", name)
		}
	}
}
