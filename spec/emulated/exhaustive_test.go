package emulated_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

var winNonIFS = spec.RunConfig{Kind: "nonifs", Profile: "windows"}

func embedded(t *testing.T, p string) *spec.Scenario {
	t.Helper()
	sc, err := spec.ParseEmbedded(p)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// The cancel scenario makes one open decision (PointCancel: the cancel
// takes effect at once, or is still under way when the machine settles),
// with two alternatives and none after either: its tree has exactly two
// schedules, and a bound of 0 non-default decisions leaves one out.
func TestExhaustiveKnownTree(t *testing.T) {
	sc := embedded(t, "scenarios/iocp/cancel-posts-packet.scenario")
	r := emulated.Exhaustive(sc, winNonIFS, emulated.ExhaustiveOptions{Bound: 3})
	if r.Runs != 2 || r.BoundHit || r.Budget || len(r.Failing) != 0 {
		t.Fatalf("bound 3: %d runs (want 2), bound hit %v, budget %v, failing %v", r.Runs, r.BoundHit, r.Budget, r.Failing)
	}
	r = emulated.Exhaustive(sc, winNonIFS, emulated.ExhaustiveOptions{Bound: 0})
	if r.Runs != 1 || !r.BoundHit {
		t.Fatalf("bound 0: %d runs (want 1), bound hit %v (want true)", r.Runs, r.BoundHit)
	}
	r = emulated.Exhaustive(sc, winNonIFS, emulated.ExhaustiveOptions{Bound: 3, MaxRuns: 1})
	if r.Runs != 1 || !r.Budget {
		t.Fatalf("max-runs 1: %d runs, budget %v (want true)", r.Runs, r.Budget)
	}
}

// A branch no schedule can make hold is reported; the one that holds is
// not.
func TestExhaustiveUnreachableBranch(t *testing.T) {
	src := `title t
thread A
port io
pipe p

A: CreateIoCompletionPort p.r io key=4
  either
    return io
  or
    return NULL ERROR_INVALID_PARAMETER
  end
`
	sc, err := spec.Parse("unreach.scenario", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	r := emulated.Exhaustive(sc, winNonIFS, emulated.ExhaustiveOptions{Bound: 3})
	if !slices.Equal(r.Unreachable, []string{"line 7 branch 2"}) {
		t.Fatalf("unreachable: %q, want [line 7 branch 2]", r.Unreachable)
	}
}

// The reduction must lose no outcome, no failure and no reached branch:
// with and without it the outcome sets (per run and per step) and the
// unreachable branches are the same. With resets and splits on, stream
// scenarios have decisions whose effect no event shows at once (a first
// version that left decisions out of the fingerprint pruned there and
// lost outcomes of recv-peek and shutdown-send).
func TestExhaustivePruningLosesNothing(t *testing.T) {
	for _, p := range []string{
		"scenarios/readiness/select-tcp.scenario",
		"scenarios/wine/sock/udp-send-unreachable.scenario",
		"scenarios/completion-routine/all-run-before-return.scenario",
		"scenarios/iocp/cancel-posts-packet.scenario",
		"scenarios/afd/poll-send-buffer-full.scenario",
		"scenarios/tcp/recv-peek.scenario",
		"scenarios/tcp/shutdown-send.scenario",
	} {
		sc := embedded(t, p)
		for _, cfg := range spec.Configs(sc) {
			cfg.Resets = strings.HasPrefix(p, "scenarios/tcp/")
			cfg.Splits = cfg.Resets
			opt := emulated.ExhaustiveOptions{Bound: 2, MaxRuns: 5000}
			with := emulated.Exhaustive(sc, cfg, opt)
			opt.NoPrune = true
			without := emulated.Exhaustive(sc, cfg, opt)
			if with.Budget || without.Budget {
				t.Fatalf("%s [%s/%s]: budget spent; the comparison needs whole trees", p, cfg.Kind, cfg.Profile)
			}
			if without.SleepBlocked != 0 || with.Runs > without.Runs {
				t.Errorf("%s [%s/%s]: %d runs pruned vs %d unpruned (%d sleep-blocked without reduction)", p, cfg.Kind, cfg.Profile, with.Runs, without.Runs, without.SleepBlocked)
			}
			if !slices.Equal(with.Outcomes, without.Outcomes) || !slices.Equal(with.Unreachable, without.Unreachable) || len(with.Failing) != len(without.Failing) {
				t.Errorf("%s [%s/%s]: pruning changed the result: %d vs %d outcomes, unreachable %q vs %q", p, cfg.Kind, cfg.Profile, len(with.Outcomes), len(without.Outcomes), with.Unreachable, without.Unreachable)
			}
			for i := range with.StepOutcomes {
				if !slices.Equal(with.StepOutcomes[i], without.StepOutcomes[i]) {
					t.Errorf("%s [%s/%s] step %d: outcomes %q vs %q", p, cfg.Kind, cfg.Profile, i, with.StepOutcomes[i], without.StepOutcomes[i])
				}
			}
		}
	}
}

// CI-sized: a handful of small corpus scenarios explored in full (the
// bound and budget not reached), every schedule passing, in seconds.
func TestExhaustiveCorpusSmall(t *testing.T) {
	start := time.Now()
	for _, p := range []string{
		"scenarios/iocp/cancel-posts-packet.scenario",
		"scenarios/iocp/immediate-success-posts.scenario",
		"scenarios/readiness/select-tcp.scenario",
		"scenarios/iocp/ex-removes-several.scenario",
		"scenarios/tour/01-apc-alertable-wait.scenario",
	} {
		sc := embedded(t, p)
		for _, cfg := range spec.Configs(sc) {
			r := emulated.Exhaustive(sc, cfg, emulated.ExhaustiveOptions{Bound: 3, MaxRuns: 1000})
			if r.Budget || r.BoundHit {
				t.Errorf("%s [%s/%s]: not explored in full (bound hit %v, budget %v)", p, cfg.Kind, cfg.Profile, r.BoundHit, r.Budget)
			}
			for _, f := range r.Failing {
				t.Errorf("%s [%s/%s]: schedule %s fails: %q", p, cfg.Kind, cfg.Profile, emulated.FormatChoices(f.Choices), f.Problems)
			}
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v; meant for CI in a few seconds", d)
	}
}
