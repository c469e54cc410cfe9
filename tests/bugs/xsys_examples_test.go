//go:build !windows || wsaemu

package bugs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/examples/connecttimeout"
	"github.com/wsaemu/wsaemu/examples/iocpecho"
	"github.com/wsaemu/wsaemu/examples/udproutine"
	"github.com/wsaemu/wsaemu/windows/windowstest"
)

// The seeded bugs of the example programs (examples/), which are written
// against golang.org/x/sys/windows' names and run unchanged on real
// Winsock: each as a buggy/fixed pair of calls to the example's Exchange,
// the buggy one with the Options switch that seeds the bug. They are run
// through windowstest, the harness a user of package windows has.

// xsysPair is one example's seeded bug.
type xsysPair struct {
	Name string
	Pair windowstest.Pair
	// Machines are those the bug shows on (the pair passes the usual
	// schedule on both kinds either way).
	Machines []windowstest.Machine
}

func exchange[O any, R any](f func(O) (R, error), o O) func() error {
	return func() error { _, err := f(o); return err }
}

var xsysPairs = []xsysPair{
	{
		Name: "iocpecho-wait-on-skipped-success",
		Pair: windowstest.Pair{
			Fixed: exchange(iocpecho.Exchange, iocpecho.Options{}),
			Buggy: exchange(iocpecho.Exchange, iocpecho.Options{WaitOnSkippedSuccess: true}),
		},
		// The server sets the skip mode only when every TCP provider is
		// an IFS one.
		Machines: []windowstest.Machine{windowstest.IFSMachine},
	},
	{
		Name: "udproutine-trust-issue-order",
		Pair: windowstest.Pair{
			Fixed: func() error { return udproutine.Exchange(udproutine.Options{}) },
			Buggy: func() error { return udproutine.Exchange(udproutine.Options{TrustIssueOrder: true}) },
		},
		Machines: []windowstest.Machine{windowstest.IFSMachine, windowstest.NonIFSMachine},
	},
	{
		Name: "connecttimeout-reuse-after-cancel",
		Pair: windowstest.Pair{
			Fixed: exchange(connecttimeout.Exchange, connecttimeout.Options{}),
			Buggy: exchange(connecttimeout.Exchange, connecttimeout.Options{ReuseAfterCancel: true}),
		},
		Machines: []windowstest.Machine{windowstest.IFSMachine, windowstest.NonIFSMachine},
	},
}

// For each example's bug: the buggy form passes the usual schedule (as
// shipped), windowstest.FindBug finds a schedule that breaks it on every
// machine it can show on (and that schedule replays with the same trace),
// and the fixed form passes a tenth of windowstest.DefaultPlans (the
// example's own tests run all 10,002 schedules).
func TestXSysExamples(t *testing.T) {
	for _, x := range xsysPairs {
		t.Run(x.Name, func(t *testing.T) {
			windowstest.CheckUsual(t, x.Pair)
			plans := windowstest.DefaultPlans()
			for _, p := range plans {
				for _, m := range x.Machines {
					if m.Name != p.Machine.Name {
						continue
					}
					s, err := windowstest.FindBug(t, p, x.Pair.Buggy)
					t.Logf("buggy, %s: first failing schedule %s: %s", m.Name, s.Name, strings.SplitN(fmt.Sprint(err), "\n", 2)[0])
				}
			}
			for i := range plans {
				plans[i].Seeds /= 10
			}
			n := windowstest.CheckFixed(t, x.Pair.Fixed, plans...)
			t.Logf("fixed: passed %d schedules", n)
		})
	}
}

// The project README counts these pairs, and this directory's README has
// a row for each, naming its Options switch.
func TestREADMEXSysCounts(t *testing.T) {
	top, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(top)), " ")
	if want := fmt.Sprintf("%d more are the seeded bugs of programs written against x/sys/windows", len(xsysPairs)); !strings.Contains(text, want) {
		t.Errorf("README.md should say %q", want)
	}
	local, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(string(local), "\n") {
		if strings.HasPrefix(l, "| ") && strings.Contains(l, "Options{") {
			rows++
		}
	}
	if rows != len(xsysPairs) {
		t.Errorf("tests/bugs/README.md has %d rows for the examples' bugs, want %d", rows, len(xsysPairs))
	}
}
