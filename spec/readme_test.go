package spec

import (
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
