package emu

import "pgregory.net/rapid"

// RapidChooser returns a Chooser that draws every decision from a rapid
// property test, so that when a property fails rapid shrinks the schedule
// (toward alternative 0, the usual Windows behaviour) along with the
// operations.
func RapidChooser(t *rapid.T) Chooser { return &rapidChooser{t: t} }

type rapidChooser struct {
	t *rapid.T
	// spent is set once rapid has refused a draw: from then on every
	// decision takes alternative 0.
	spent bool
}

var rapidLabels = func() (l [numPoints]string) {
	for i := range l {
		l[i] = "choice-" + Point(i).String()
	}
	return l
}()

func (r *rapidChooser) Choose(p Point, n int) (c int) {
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
