package emulated

import (
	"github.com/wsaemu/wsaemu/spec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus runs every scenario under spec/scenarios on the emulator,
// under each provider kind and profile it names, and checks every
// expectation.
func TestCorpus(t *testing.T) {
	files, err := spec.Collect("../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios found")
	}
	for _, f := range files {
		sc, err := spec.ParseFile(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, cfg := range spec.Configs(sc) {
			name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), "../"), ".scenario") + "/" + cfg.Kind + "/" + cfg.Profile
			t.Run(name, func(t *testing.T) {
				rep := spec.Run(sc, &Emulator{}, cfg)
				for _, msg := range rep.Failures() {
					t.Error(msg)
				}
			})
		}
	}
}
