package emulated

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wsaemu/wsaemu/spec"
)

// fuzzMaxSteps is the step budget of one fuzz run: with the bound on a
// routine's own calls (maxRoutineActs) it keeps every run short, so a run
// that does not end is a hang in the emulator, not a long input.
const fuzzMaxSteps = 24

// FuzzParse feeds arbitrary text to the scenario parser and, when it
// parses, runs it briefly on the emulator, twice with the same seed. The
// promises it checks (README, issue 9): bad input gets a message with
// file:line, never a crash; a panic anywhere in the emulator or the step
// decoder, even inside an emulated thread, makes the run fail as "could
// not run" and is itself a bug the fuzzer reports; the same seed gives the
// same trace. The seed corpus is every scenario of the built-in corpus.
func FuzzParse(f *testing.F) {
	for _, p := range spec.EmbeddedFiles() {
		b, err := spec.Corpus.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("title x\nthread A\nA: SleepEx 0\n  return 0\n"))
	f.Add([]byte("title x\nthread A\nA: WSARecv nosuch b ov\n  either\n  or\n  end\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := spec.Parse("fuzz.scenario", bytes.NewReader(data))
		if err != nil {
			var pe *spec.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("parse error without a place: %v", err)
			}
			return
		}
		if len(sc.Steps) > fuzzMaxSteps {
			sc.Steps = sc.Steps[:fuzzMaxSteps]
		}
		cfg := spec.RunConfig{Kind: "nonifs", Profile: "windows", Seed: 7, Seeded: true}
		em := &Emulator{}
		rep := spec.Run(sc, em, cfg)
		_ = rep.Failures()
		if em.sys != nil {
			if ps := em.sys.Panics(); len(ps) > 0 {
				if rep.Passed() || !rep.CouldNotRun() {
					t.Fatalf("a thread panicked but the run is not a could-not-run failure (passed=%v): %v", rep.Passed(), ps[0])
				}
				t.Fatalf("panic during the run: %v", errors.Join(ps...))
			}
		}
		again := &Emulator{}
		spec.Run(sc, again, cfg)
		if em.sys != nil && again.sys != nil && em.sys.Trace().String() != again.sys.Trace().String() {
			t.Fatalf("the same seed gave two different traces")
		}
	})
}
