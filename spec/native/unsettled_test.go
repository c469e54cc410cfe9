package native

import (
	"path/filepath"
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
			found := false
			for _, st := range sc.Steps {
				text := st.Call.String()
				if st.Call.Name == "settle" {
					text = "settle"
				}
				if SameCall(s, text) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no step %q", u.Scenario, s)
			}
			if FindDeviation(u.Scenario, s) != nil {
				t.Errorf("%s: step %q is both unsettled and a known Wine deviation", u.Scenario, s)
			}
		}
	}
}
