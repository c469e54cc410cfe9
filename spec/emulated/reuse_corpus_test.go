package emulated_test

import (
	"fmt"
	"io/fs"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// corpusRun is one scenario under one configuration.
type corpusRun struct {
	sc  *spec.Scenario
	cfg spec.RunConfig
}

// corpusRuns is every corpus scenario under each of its configurations,
// plain, seeded, hostile and swarm, in an order shuffled by seed.
func corpusRuns(t *testing.T, seed int64) []corpusRun {
	t.Helper()
	var runs []corpusRun
	err := filepath.WalkDir("../scenarios", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, spec.Ext) {
			return err
		}
		sc, err := spec.ParseFile(p)
		if err != nil {
			return err
		}
		for _, c := range spec.Configs(sc) {
			seeded, hostile, swarm := c, c, c
			seeded.Seed, seeded.Seeded = 7, true
			hostile.Hostile = true
			swarm.Swarm, swarm.Seed, swarm.Seeded = true, 11, true
			for _, cfg := range []spec.RunConfig{c, seeded, hostile, swarm} {
				runs = append(runs, corpusRun{sc, cfg})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rand.New(rand.NewSource(seed)).Shuffle(len(runs), func(i, j int) { runs[i], runs[j] = runs[j], runs[i] })
	return runs
}

// corpusReuseRuns is how many runs of the shuffled corpus each goroutine
// of TestReusedEmulatorOverTheCorpus makes (of some 6,000).
const corpusReuseRuns = 1500

// Explore's way of running, over the whole corpus rather than the pairs of
// TestReusedEmulatorAfterAnotherScenario: one Emulator (threads on a
// goroutine pool, so that every System is released and the next built in
// its memory, with its provider reset) and one Report (spec.RunInto) run
// scenario after scenario under every kind, profile and chooser, and each
// run must read as it does on a new Emulator and Report. Two such drivers
// run at once, one of them without traces, as explore's workers do: the
// Systems they release go to one pool, and either may build in the
// other's.
func TestReusedEmulatorOverTheCorpus(t *testing.T) {
	var wg sync.WaitGroup
	for g, quiet := range []bool{false, true} {
		runs := corpusRuns(t, int64(g))[:corpusReuseRuns]
		wg.Add(1)
		go func() {
			defer wg.Done()
			pool := emu.NewGoroutinePool()
			defer pool.Close()
			em := &emulated.Emulator{Pool: pool, Quiet: quiet}
			var rep *spec.Report
			for k, r := range runs {
				rep = spec.RunInto(rep, r.sc, em, r.cfg)
				got := runText(r.sc, em, rep)
				fresh := &emulated.Emulator{Quiet: quiet}
				want := runText(r.sc, fresh, spec.Run(r.sc, fresh, r.cfg))
				if got != want {
					prev := "nothing"
					if k > 0 {
						prev = fmt.Sprintf("%s %+v", runs[k-1].sc.File, runs[k-1].cfg)
					}
					t.Errorf("%s %+v (quiet %v) after %s on the same Emulator and Report differs from a new run:\n%s", r.sc.File, r.cfg, quiet, prev, firstDiff(want, got))
					return
				}
			}
		}()
	}
	wg.Wait()
}

// reportText is everything a report holds.
func reportText(rep *spec.Report) string {
	var b strings.Builder
	for _, s := range rep.Steps {
		fmt.Fprintf(&b, "%d %d-%d %+v %v %q %v %v\n", s.Step.Line, s.TraceFrom, s.TraceTo, s.Result, s.Outcome, spec.FormatOutcome(s.Outcome), s.Completions, s.Failures)
	}
	fmt.Fprintf(&b, "%d steps, findings %q expected %q liveness %q err %v\n", len(rep.Steps), rep.Findings, rep.Expected, rep.Liveness, rep.Err)
	return b.String()
}

// A report spec.Run returns is the caller's: the Emulator lends its
// results' lists (Outs.More, Outs.Entries), its findings and its
// completions' memory only until its next run, and the report must not
// read them there. Every corpus run on one reused Emulator keeps its
// report, and after all of them each report still reads as it did.
func TestReportsOutliveTheReusedEmulator(t *testing.T) {
	pool := emu.NewGoroutinePool()
	defer pool.Close()
	em := &emulated.Emulator{Pool: pool}
	var reps []*spec.Report
	var texts []string
	for _, r := range corpusRuns(t, 3) {
		if r.cfg.Hostile || r.cfg.Swarm {
			continue
		}
		rep := spec.Run(r.sc, em, r.cfg)
		reps = append(reps, rep)
		texts = append(texts, reportText(rep))
	}
	for i, rep := range reps {
		if got := reportText(rep); got != texts[i] {
			t.Fatalf("%s: the report changed in the runs after it:\n%s", rep.Scenario.File, firstDiff(texts[i], got))
		}
	}
}
