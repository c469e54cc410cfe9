package spec

// RunBranches runs a scenario as Run does and also tells onBranch, for
// every either/or group an expectation check finds holding, the group's
// line and the index (from 0) of the branch that held: the first branch
// in the file's order that holds in full, which is the one Run accepts.
// Exhaustive exploration (wsaemu check -exhaustive) collects these to
// report branches no schedule reaches.
func RunBranches(sc *Scenario, b Backend, cfg RunConfig, onBranch func(line, branch int)) *Report {
	return run(nil, sc, b, cfg, onBranch)
}

// Branches lists every either/or group of the scenario, nested ones
// included, as its line and number of branches, in file order.
func Branches(sc *Scenario) []Group {
	var out []Group
	var walk func(es []Expect)
	walk = func(es []Expect) {
		for _, e := range es {
			if e.Alts == nil {
				continue
			}
			out = append(out, Group{Line: e.Line, Branches: len(e.Alts)})
			for _, br := range e.Alts {
				walk(br)
			}
		}
	}
	for _, st := range sc.Steps {
		walk(st.Expect)
	}
	return out
}

// Group is one either/or group: its line and how many branches it has.
type Group struct {
	Line, Branches int
}
