package emu

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// captureTB is a rapid.TB that keeps what rapid reports instead of failing
// the test, so a test can run a property that is meant to fail and check
// what its failure shows.
type captureTB struct {
	mu     sync.Mutex
	name   string
	out    strings.Builder
	failed bool
}

func (c *captureTB) Helper()      {}
func (c *captureTB) Name() string { return c.name }
func (c *captureTB) Logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(&c.out, format+"\n", args...)
}
func (c *captureTB) Log(args ...any)                  { c.Logf("%s", fmt.Sprint(args...)) }
func (c *captureTB) Skipf(format string, args ...any) { c.Logf("skip: "+format, args...) }
func (c *captureTB) Skip(args ...any)                 { c.Log(args...) }
func (c *captureTB) SkipNow()                         {}
func (c *captureTB) Errorf(format string, args ...any) {
	c.Logf(format, args...)
	c.mu.Lock()
	c.failed = true
	c.mu.Unlock()
}
func (c *captureTB) Error(args ...any)                 { c.Errorf("%s", fmt.Sprint(args...)) }
func (c *captureTB) Fatalf(format string, args ...any) { c.Errorf(format, args...) }
func (c *captureTB) Fatal(args ...any)                 { c.Error(args...) }
func (c *captureTB) FailNow()                          { c.Errorf("FailNow") }
func (c *captureTB) Fail()                             { c.Errorf("Fail") }
func (c *captureTB) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

// rapidOrder runs two threads that each take two turns, yielding in
// between, under ch, and returns the order of the turns.
func rapidOrder(ch Chooser) string {
	s := New(WithChooser(ch))
	order := ""
	for _, name := range []string{"a", "b"} {
		s.Go(name, func(th *Thread) {
			for i := 0; i < 2; i++ {
				order += name
				th.SleepEx(0, false)
			}
		})
	}
	s.Run()
	return order
}

// Issue 9: "a failing rapid property shows the drawn schedule and a
// command that replays it". A property that fails for one interleaving is
// run under a capturing TB; its report must hold rapid's reproduce command
// and the schedule as an emu.ReplayChooser expression, and that schedule,
// replayed without rapid, must give the failing interleaving again.
func TestRapidFailureShowsReplayableSchedule(t *testing.T) {
	tb := &captureTB{name: "TestRapidFailureShowsReplayableScheduleInner"}
	t.Cleanup(func() {
		// rapid writes a fail file under testdata/rapid/<name>; this
		// failure is deliberate, so it is removed.
		os.RemoveAll(filepath.Join("testdata", "rapid", tb.name))
		os.Remove(filepath.Join("testdata", "rapid")) // only if empty
	})
	var last *Rapid
	rapid.Check(tb, func(rt *rapid.T) {
		last = RapidChooser(rt)
		if got := rapidOrder(last); got == "baab" {
			rt.Fatalf("order %s", got)
		}
	})
	out := tb.out.String()
	if !tb.Failed() || last == nil {
		t.Fatalf("the property did not fail; output:\n%s", out)
	}
	if !strings.Contains(out, "To reproduce") || !strings.Contains(out, "-rapid.") {
		t.Errorf("no reproduce command in the failure:\n%s", out)
	}
	want := "emu.WithChooser(" + ReplayExpr(last.Choices()) + ")"
	if !strings.Contains(out, want) {
		t.Errorf("the failure does not show the schedule %s:\n%s", want, out)
	}
	if got := rapidOrder(ReplayChooser(last.Choices())); got != "baab" {
		t.Errorf("replaying the shown schedule gives order %s, want the failing baab", got)
	}
}
