package emu

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"
)

// RapidChooser returns a Chooser that draws every decision from a rapid
// property test, so that when a property fails rapid shrinks the schedule
// (toward alternative 0, the usual Windows behaviour) along with the
// operations.
//
// When the property fails, the failing run's log shows the schedule: every
// decision made, in order, as a Go expression that replays it without
// rapid (emu.ReplayChooser([]emu.Choice{...})), next to rapid's own
// "To reproduce" command (-rapid.seed or -rapid.failfile).
func RapidChooser(t *rapid.T) *Rapid {
	r := &Rapid{t: t}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emu: the failing run's schedule (%d decisions); to replay it without rapid, build the System with\n  emu.WithChooser(%s)", len(r.choices), ReplayExpr(r.choices))
		}
	})
	return r
}

// Rapid is the Chooser RapidChooser returns.
type Rapid struct {
	t *rapid.T
	// spent is set once rapid has refused a draw: from then on every
	// decision takes alternative 0.
	spent   bool
	choices []Choice
}

// Choices returns the decisions made so far in this run, in order.
func (r *Rapid) Choices() []Choice { return r.choices }

var rapidLabels = func() (l [numPoints]string) {
	for i := range l {
		l[i] = "choice-" + Point(i).String()
	}
	return l
}()

// Choose implements Chooser.
func (r *Rapid) Choose(p Point, n int) (c int) {
	defer func() { r.choices = append(r.choices, Choice{Point: p, N: n, Pick: clampChoice(c, n)}) }()
	if r.spent {
		return 0
	}
	label := "choice"
	if p < numPoints {
		label = rapidLabels[p]
	}
	// While it replays or shrinks, rapid ends a draw for which its recorded
	// input has run out by panicking. Decisions are drawn on the emulated
	// threads' goroutines, where that panic would never reach rapid: the
	// thread would die as if its own code had failed (or, inside the
	// scheduler, the process would). Instead the run goes on with
	// alternative 0, the usual behaviour, for every remaining decision,
	// which is just the schedule shrinking aims for.
	defer func() {
		if x := recover(); x != nil {
			r.spent, c = true, 0
		}
	}()
	return rapid.IntRange(0, n-1).Draw(r.t, label)
}

var pointIdents = [numPoints]string{
	PointSchedule:  "emu.PointSchedule",
	PointPend:      "emu.PointPend",
	PointAPCOrder:  "emu.PointAPCOrder",
	PointCancel:    "emu.PointCancel",
	PointPreempt:   "emu.PointPreempt",
	PointUnsettled: "emu.PointUnsettled",
	PointSplit:     "emu.PointSplit",
	PointReset:     "emu.PointReset",
}

// ReplayExpr writes decisions as the Go expression that replays them:
// emu.ReplayChooser([]emu.Choice{{Point: emu.PointSchedule, N: 2, Pick: 1}, ...}).
func ReplayExpr(cs []Choice) string {
	var b strings.Builder
	b.WriteString("emu.ReplayChooser([]emu.Choice{")
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		p := fmt.Sprintf("emu.Point(%d)", uint8(c.Point))
		if c.Point < numPoints {
			p = pointIdents[c.Point]
		}
		fmt.Fprintf(&b, "{Point: %s, N: %d, Pick: %d}", p, c.N, c.Pick)
	}
	b.WriteString("})")
	return b.String()
}
