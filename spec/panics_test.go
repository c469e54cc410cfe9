package spec

import (
	"errors"
	"strings"
	"testing"
)

// panicky is a backend whose second call records a panic, as the emulator
// does when a thread's code (or the step decoder, run on the thread)
// panics: the call itself seems to return.
type panicky struct {
	calls  int
	panics []error
}

func (p *panicky) Name() string                          { return "panicky" }
func (p *panicky) Start(RunConfig, []Decl) error         { return nil }
func (p *panicky) Settle() error                         { return nil }
func (p *panicky) Completed() []Returned                 { return nil }
func (p *panicky) Overlapped(string) (OvFields, error)   { return OvFields{}, nil }
func (p *panicky) EventSignalled(string) (bool, error)   { return false, nil }
func (p *panicky) Routine(string) ([]RoutineCall, error) { return nil, nil }
func (p *panicky) Buffer(string) ([]byte, error)         { return nil, nil }
func (p *panicky) Blocked(string) (bool, error)          { return false, nil }
func (p *panicky) Close()                                {}
func (p *panicky) Panics() []error                       { return p.panics }
func (p *panicky) Do(string, Op) (Result, error) {
	p.calls++
	if p.calls == 2 {
		p.panics = append(p.panics, errors.New("thread A panicked: boom\ngoroutine 7 [running]:"))
	}
	return Result{}, nil
}

// A panic during a run is a failure that stops the run at the step after
// which it was seen, carries the panic and its stack, and counts as "could
// not run" (the CLI's exit 3), never as a pass (issue 9).
func TestPanicFailsTheRun(t *testing.T) {
	sc, err := Parse("p.scenario", strings.NewReader("title p\nthread A\nA: SleepEx 0\nA: SleepEx 0\nA: SleepEx 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(sc, &panicky{}, RunConfig{})
	if rep.Passed() || !rep.CouldNotRun() {
		t.Fatalf("passed=%v couldNotRun=%v, want a could-not-run failure", rep.Passed(), rep.CouldNotRun())
	}
	var pe *PanicError
	if !errors.As(rep.Err, &pe) || pe.Line != 4 || !strings.Contains(rep.Err.Error(), "p.scenario:4: panic") || !strings.Contains(rep.Err.Error(), "goroutine 7") {
		t.Fatalf("want the panic with its stack at p.scenario:4, got %v", rep.Err)
	}
	if len(rep.Steps) != 2 {
		t.Fatalf("the run went on after the panic: %d steps", len(rep.Steps))
	}
}

// goPanicky's Do panics in the driver itself at its second call.
type goPanicky struct{ panicky }

func (p *goPanicky) Do(string, Op) (Result, error) {
	p.calls++
	if p.calls == 2 {
		panic("boom")
	}
	return Result{}, nil
}

// A Go panic in a backend's driver side stops the run at its step, which
// is not reported (the run writes each step's result in place and takes
// the unfinished one back), also into a report that held a longer run.
func TestDriverPanicDropsItsStep(t *testing.T) {
	sc, err := Parse("p.scenario", strings.NewReader("title p\nthread A\nA: SleepEx 0\nA: SleepEx 0\nA: SleepEx 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	full := RunInto(nil, sc, &panicky{calls: 5}, RunConfig{})
	if len(full.Steps) != 3 || full.Err != nil {
		t.Fatalf("a run without panics: %d steps, %v", len(full.Steps), full.Err)
	}
	for _, rep := range []*Report{Run(sc, &goPanicky{}, RunConfig{}), RunInto(full, sc, &goPanicky{}, RunConfig{})} {
		var pe *PanicError
		if !errors.As(rep.Err, &pe) || pe.Line != 4 || !strings.Contains(rep.Err.Error(), "boom") {
			t.Fatalf("want the panic at p.scenario:4, got %v", rep.Err)
		}
		if len(rep.Steps) != 1 || rep.Steps[0].Step.Line != 3 {
			t.Fatalf("%d steps reported, want the one before the panic", len(rep.Steps))
		}
	}
}
