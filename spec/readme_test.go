package spec

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestREADMEScenario checks that the scenario shown in the README parses
// and passes under every kind, profile and a few hundred schedules, so the
// guide never shows something that does not work.
func TestREADMEScenario(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "```scenario\n")
	if i < 0 {
		t.Fatal("README has no ```scenario block")
	}
	body := text[i+len("```scenario\n"):]
	body = body[:strings.Index(body, "```")]
	sc, err := Parse("README.md", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range Configs(sc) {
		for seed := uint64(0); seed < 50; seed++ {
			c := cfg
			c.Seed, c.Seeded = seed, seed != 0
			if rep := Run(sc, NewEmulator(), c); !rep.Passed() {
				t.Fatalf("%s/%s seed %d: %v", c.Kind, c.Profile, seed, rep.Failures())
			}
		}
	}
}

// TestREADMEFigures checks the README's figures for the corpus and the
// catalogue against what the tool computes from them, so they cannot go
// stale: "N scenarios, M runs" and "(T: C covered by a scenario or test,
// R with a written reason why not)".
func TestREADMEFigures(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	var scs []*Scenario
	runs := 0
	for _, f := range EmbeddedFiles() {
		sc, err := ParseEmbedded(f)
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc)
		runs += len(Configs(sc))
	}
	cov, _ := ComputeCoverage(scs)
	covered := 0
	for _, c := range cov {
		if c.Covered() {
			covered++
		}
	}
	for _, want := range []string{
		fmt.Sprintf("(%d scenarios, %d runs over the kinds and profiles each names)", len(scs), runs),
		fmt.Sprintf("(%d: %d covered by a scenario or test, %d with a written reason why not)", len(cov), covered, len(cov)-covered),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("README.md should say %q (the figures the tool computes today)", want)
		}
	}
}

// TestREADMEBugsDemo checks what the README promises of the bug patterns:
// the corrected patterns in scenarios/bugs pass under every schedule
// explore tries, while the buggy form in tests/bugs/scenarios passes
// under the usual schedule and fails under some seeded one.
func TestREADMEBugsDemo(t *testing.T) {
	for _, f := range EmbeddedFiles() {
		if !strings.HasPrefix(f, "scenarios/bugs/") {
			continue
		}
		sc, err := ParseEmbedded(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, cfg := range Configs(sc) {
			for seed := uint64(1); seed <= 100; seed++ {
				c := cfg
				c.Seed, c.Seeded = seed, true
				if rep := Run(sc, NewEmulator(), c); !rep.Passed() {
					t.Errorf("%s [%s/%s] seed %d fails: %v", f, c.Kind, c.Profile, seed, rep.Failures())
				}
			}
		}
	}
	files, err := Collect("../tests/bugs/scenarios")
	if err != nil || len(files) == 0 {
		t.Fatalf("no buggy forms in tests/bugs/scenarios: %v", err)
	}
	for _, f := range files {
		sc, err := ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		failed := false
		for _, cfg := range Configs(sc) {
			if rep := Run(sc, NewEmulator(), cfg); !rep.Passed() {
				t.Errorf("%s [%s/%s]: the buggy form should pass under the usual schedule: %v", f, cfg.Kind, cfg.Profile, rep.Failures())
			}
			for seed := uint64(1); seed <= 100 && !failed; seed++ {
				c := cfg
				c.Seed, c.Seeded = seed, true
				failed = !Run(sc, NewEmulator(), c).Passed()
			}
		}
		if !failed {
			t.Errorf("%s: no seed in 1..100 shows the bug", f)
		}
	}
}
