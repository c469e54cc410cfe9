package emu

import "pgregory.net/rapid"

// RapidChooser returns a Chooser that draws every decision from a rapid
// property test, so that when a property fails rapid shrinks the schedule
// (toward alternative 0, the usual Windows behaviour) along with the
// operations.
func RapidChooser(t *rapid.T) Chooser { return rapidChooser{t} }

type rapidChooser struct{ t *rapid.T }

var rapidLabels = func() (l [numPoints]string) {
	for i := range l {
		l[i] = "choice-" + Point(i).String()
	}
	return l
}()

func (r rapidChooser) Choose(p Point, n int) int {
	label := "choice"
	if p < numPoints {
		label = rapidLabels[p]
	}
	return rapid.IntRange(0, n-1).Draw(r.t, label)
}
