//go:build !windows || wsaemu

package connecttimeout

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/windows/windowstest"
)

func run(o Options, res *Result) func() error {
	return func() error {
		r, err := Exchange(o)
		if res != nil {
			*res = r
		}
		return err
	}
}

var pair = windowstest.Pair{
	Fixed: run(Options{}, nil),
	Buggy: run(Options{ReuseAfterCancel: true}, nil),
}

// Both forms pass on the schedule Windows usually shows (a cancel takes
// effect at once), and there the first receives do time out: the virtual
// clock reaches the client's deadline before the server's delay.
func TestUsualSchedule(t *testing.T) {
	windowstest.CheckUsual(t, pair)
	for _, m := range []windowstest.Machine{windowstest.IFSMachine, windowstest.NonIFSMachine} {
		var res Result
		if _, err := windowstest.Once(m, windowstest.Usual, run(Options{}, &res)); err != nil || res.Timeouts == 0 {
			t.Errorf("%s: %v, %d timeouts; want the first receive to time out", m.Name, err, res.Timeouts)
		}
	}
}

// The fixed client gets every reply byte on every schedule.
func TestFixedUnderSchedules(t *testing.T) {
	t.Logf("passed %d schedules", windowstest.CheckFixed(t, pair.Fixed))
}

// A cancelled receive may complete normally all the same (CancelIoEx
// page): some schedule shows it, and the fixed client keeps those bytes.
func TestCancelledReceiveCompletesAnyway(t *testing.T) {
	for _, p := range windowstest.DefaultPlans() {
		m, found := p.Machine, false
		for n := uint64(1); n <= p.Seeds && !found; n++ {
			var res Result
			if _, err := windowstest.Once(m, windowstest.Swarm(n), run(Options{}, &res)); err != nil {
				t.Fatalf("%s, swarm=%d: %v", m.Name, n, err)
			}
			found = res.CompletedAnyway > 0
		}
		if !found {
			t.Errorf("%s: no schedule in %d swarm seeds let a cancelled receive complete normally", m.Name, p.Seeds)
		}
	}
}

// Bug (c): the record of a cancelled receive is reused before its
// completion is seen (CancelIoEx page; "Canceling Pending I/O
// Operations"): the sanitizer sees a record reused while its receive is
// in flight, or the reply the cancelled receive took is lost.
func TestBugReuseAfterCancelFound(t *testing.T) {
	for _, p := range windowstest.DefaultPlans() {
		s, err := windowstest.FindBug(t, p, pair.Buggy)
		t.Logf("%s: first failing schedule %s: %v", p.Machine.Name, s.Name, firstLine(err))
	}
}

func firstLine(err error) string {
	s := fmt.Sprint(err)
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
