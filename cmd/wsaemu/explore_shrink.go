package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// shrinkBudget bounds the replays one shrink may make.
const shrinkBudget = 400

// shrinkFailure re-runs a failing schedule recording its decisions, then
// shrinks the list toward the fewest unusual (non-zero) decisions that
// still fail the same way (the same problems, line for line), and returns
// the lines that report it: the shrunk list as a replay -choices command
// and the timeline of its run. mk makes the schedule's chooser when the
// configuration alone does not (pct).
func shrinkFailure(g *exploreGroup, c spec.RunConfig, mk func() emu.Chooser, want []string) ([]string, string) {
	var ch emu.Chooser
	switch {
	case mk != nil:
		ch = mk()
	case c.Hostile:
		ch = emu.HostileChooser()
	case c.Swarm:
		ch = emu.SwarmChooser(c.Seed)
	default:
		ch = emu.SeededChooser(c.Seed)
	}
	em := newEmulator()
	var recorded func() []emu.Choice
	if p, ok := ch.(*emu.PCT); ok {
		// PCT needs to be told the candidates, which a Recorder around it
		// would hide: it records for itself.
		p.Record = true
		em.Chooser = p
		recorded = func() []emu.Choice { return p.Choices }
	} else {
		rec := &emu.Recorder{Inner: ch}
		em.Chooser = rec
		recorded = func() []emu.Choice { return rec.Choices }
	}
	spec.Run(g.sc, em, c)
	base := g.cfg // kind, profile, resets, splits: what replay -choices runs
	replay := func(cs []emu.Choice) ([]string, []emu.Choice) {
		rec := &emu.Recorder{Inner: emu.ReplayChooser(cs)}
		em := newEmulator()
		em.Chooser = rec
		rep := spec.Run(g.sc, em, base)
		return problemsOf(rep), rec.Choices
	}
	full := recorded()
	shrunk, ok := shrinkChoices(replay, want, full)
	if !ok {
		return []string{"      shrink: the recorded decisions do not fail the same way when replayed (not shrunk)"}, ""
	}
	cmd := fmt.Sprintf("wsaemu replay %s-choices %q -kind %s -profile %s %s", extraFlags(base), emulated.FormatChoices(shrunk), base.Kind, base.Profile, g.sc.File)
	lines := []string{
		fmt.Sprintf("      shrunk: %d unusual decision(s) of %d (the seed made %d of %d): %s", unusual(shrunk), len(shrunk), unusual(full), len(full), cmd),
		"      timeline of the shrunk schedule:",
	}
	em = newEmulator()
	em.Chooser = emu.ReplayChooser(shrunk)
	var b bytes.Buffer
	show(&b, g.sc, base, "text", em)
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		lines = append(lines, strings.TrimRight("        "+l, " "))
	}
	return lines, cmd
}

func unusual(cs []emu.Choice) int {
	k := 0
	for _, c := range cs {
		if c.Pick != 0 {
			k++
		}
	}
	return k
}

// trimDefaults drops the trailing decisions that take alternative 0: a
// replay takes 0 once its list runs out.
func trimDefaults(cs []emu.Choice) []emu.Choice {
	for len(cs) > 0 && cs[len(cs)-1].Pick == 0 {
		cs = cs[:len(cs)-1]
	}
	return cs
}

// shrinkChoices shrinks a decision list while replay(list) reports the
// problems want: first the shortest prefix among lengths 0, 1, 2, 4, ...
// (the rest taking alternative 0), then every unusual decision in turn set
// to 0, repeated until nothing changes or the budget is spent. After each
// success the list becomes the decisions that replay actually made, so it
// stays a consistent schedule. It reports false when the list given does
// not fail as wanted.
func shrinkChoices(replay func([]emu.Choice) ([]string, []emu.Choice), want []string, cs []emu.Choice) ([]emu.Choice, bool) {
	budget := shrinkBudget
	var cur []emu.Choice
	try := func(cand []emu.Choice) bool {
		if budget == 0 {
			return false
		}
		budget--
		got, made := replay(cand)
		if !slices.Equal(got, want) {
			return false
		}
		cur = trimDefaults(made)
		return true
	}
	if !try(cs) {
		return cs, false
	}
	for n := 0; n < len(cur); n = max(1, 2*n) {
		if try(slices.Clone(cur[:n])) {
			break
		}
	}
	for changed := true; changed && budget > 0; {
		changed = false
		for i := 0; i < len(cur) && budget > 0; i++ {
			if cur[i].Pick == 0 {
				continue
			}
			cand := slices.Clone(cur)
			cand[i].Pick = 0
			if try(cand) {
				changed = true
			}
		}
	}
	return cur, true
}
