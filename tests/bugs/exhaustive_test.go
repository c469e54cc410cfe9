package bugs

import (
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

// exploreBug runs p under emu.Explore and returns its distinct outcomes
// (Result.Why, "ok" for a clean run), whether some run went wrong, and the
// stats.
func exploreBug(p Program, opts []emu.Option, xo emu.ExploreOptions) ([]string, bool, emu.ExploreStats) {
	seen := map[string]bool{}
	wrong := false
	st := emu.Explore(xo, func(r *emu.ExploreRun) bool {
		res := Run(p, append(append([]emu.Option(nil), opts...), emu.WithChooser(r))...)
		why := res.Why()
		if why == "" {
			why = "ok"
		}
		if res.Wrong() {
			wrong = true
		}
		for _, l := range res.Liveness {
			why += "; liveness: " + l
		}
		seen[why] = true
		return true
	})
	return emu.SortedOutcomes(seen), wrong, st
}

// TestExhaustiveBugs: within a bound of two non-default decisions, the
// exhaustive search with the reduction finds every buggy form's bug that
// the full search finds, never fails a fixed form, and reaches the same
// outcomes as the full search (the reduction loses nothing). Patterns
// whose bug needs more decisions than the bound are only checked for
// equal outcomes. The numbers are logged (go test -v).
func TestExhaustiveBugs(t *testing.T) {
	const bound, maxRuns = 3, 5000
	if testing.Short() {
		t.Skip("explores every pattern twice, with and without the reduction")
	}
	found, fullRuns, redRuns := 0, 0, 0
	for _, pat := range Patterns {
		t.Run(pat.Name, func(t *testing.T) {
			for _, form := range []struct {
				name  string
				p     Program
				buggy bool
			}{{"buggy", pat.Buggy, true}, {"fixed", pat.Fixed, false}} {
				full, fullWrong, fs := exploreBug(form.p, pat.Options, emu.ExploreOptions{Bound: bound, MaxRuns: maxRuns, NoPrune: true})
				red, redWrong, rs := exploreBug(form.p, pat.Options, emu.ExploreOptions{Bound: bound, MaxRuns: maxRuns})
				fullRuns += fs.Runs
				redRuns += rs.Runs
				t.Logf("%s: %d schedules without reduction (budget %v), %d with (%d sleep-blocked); %d outcomes; bug found: %v/%v",
					form.name, fs.Runs, fs.Budget, rs.Runs, rs.SleepBlocked, len(full), fullWrong, redWrong)
				if rs.Diverged > 0 || fs.Diverged > 0 {
					t.Errorf("%s: replays diverged (%d, %d)", form.name, fs.Diverged, rs.Diverged)
				}
				if !fs.Budget && !rs.Budget && strings.Join(full, "\n") != strings.Join(red, "\n") {
					t.Errorf("%s: outcomes with reduction differ from those without\nwith:    %q\nwithout: %q", form.name, red, full)
				}
				if !form.buggy && (fullWrong || redWrong) {
					t.Errorf("fixed form failed: %q", red)
				}
				if form.buggy && fullWrong && !redWrong {
					t.Errorf("the full search finds the bug and the reduced one does not")
				}
				if form.buggy && redWrong {
					found++
				}
			}
		})
	}
	if found == 0 {
		t.Errorf("no buggy form's bug found exhaustively")
	}
	t.Logf("%d of %d buggy forms fail within bound %d; %d schedules without the reduction, %d with", found, len(Patterns), bound, fullRuns, redRuns)
}
