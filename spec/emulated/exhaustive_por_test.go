package emulated_test

import (
	"slices"
	"testing"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// The reduction over the whole built-in corpus: for every scenario and
// configuration whose tree fits the budget, the outcomes (per run and per
// step), the unreachable branches and the failing schedules are the same
// with and without it, at the same bound, and it never runs more
// schedules. (The corpus's scenarios drive one step at a time, so few of
// their decisions are about order: the reduction saves little here; the
// goroutine programs of emu's and tests/bugs' tests are where it pays.)
func TestExhaustiveReductionCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("explores the whole corpus twice")
	}
	const bound, maxRuns = 2, 2000
	compared, with, without := 0, 0, 0
	for _, p := range spec.EmbeddedFiles() {
		sc := embedded(t, p)
		for _, cfg := range spec.Configs(sc) {
			opt := emulated.ExhaustiveOptions{Bound: bound, MaxRuns: maxRuns}
			r := emulated.Exhaustive(sc, cfg, opt)
			opt.NoPrune = true
			f := emulated.Exhaustive(sc, cfg, opt)
			if r.Budget || f.Budget {
				continue
			}
			compared++
			with += r.Runs
			without += f.Runs
			if r.Runs > f.Runs {
				t.Errorf("%s [%s/%s]: %d runs with the reduction, %d without", p, cfg.Kind, cfg.Profile, r.Runs, f.Runs)
			}
			if !slices.Equal(r.Outcomes, f.Outcomes) || !slices.Equal(r.Unreachable, f.Unreachable) || len(r.Failing) != len(f.Failing) {
				t.Errorf("%s [%s/%s]: the reduction changed the result: %d vs %d outcomes, unreachable %q vs %q, %d vs %d failing",
					p, cfg.Kind, cfg.Profile, len(r.Outcomes), len(f.Outcomes), r.Unreachable, f.Unreachable, len(r.Failing), len(f.Failing))
			}
			for i := range r.StepOutcomes {
				if !slices.Equal(r.StepOutcomes[i], f.StepOutcomes[i]) {
					t.Errorf("%s [%s/%s] step %d: outcomes %q vs %q", p, cfg.Kind, cfg.Profile, i, r.StepOutcomes[i], f.StepOutcomes[i])
				}
			}
		}
	}
	if compared < 100 {
		t.Errorf("only %d scenario configurations compared", compared)
	}
	t.Logf("bound %d: %d configurations compared, %d schedules with the reduction, %d without", bound, compared, with, without)
}
