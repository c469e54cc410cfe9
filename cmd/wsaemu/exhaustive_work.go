package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

const exhaustiveWorkHelp = `

-exhaustive runs the scenarios' configurations on -workers goroutines (the
output is the same for any number); -shard i/n takes every n-th scenario
from the i-th (i from 0), so n machines cover a run between them: each
prints the lines of its own scenarios and a summary of them, and the n
summaries add up to the whole run's (docs/explore-shards.md).`

// exhaustiveWork is where check -exhaustive runs: how many goroutines, and
// which shard of the scenarios.
type exhaustiveWork struct {
	workers int
	shard   string
}

func (w *exhaustiveWork) register(fs *flag.FlagSet) {
	fs.IntVar(&w.workers, "workers", runtime.GOMAXPROCS(0), "-exhaustive: how many configurations to search at once (the output does not depend on it)")
	fs.StringVar(&w.shard, "shard", "0/1", "-exhaustive: search only shard i of n (i/n, i from 0): every n-th scenario")
}

// cfgResult is one configuration's exhaustive search.
type cfgResult struct {
	cfg spec.RunConfig
	r   *emulated.ExhaustiveResult
}

// check checks the work flags and returns the shard.
func (w exhaustiveWork) check(stderr io.Writer) (shardID, bool) {
	if w.workers < 1 {
		fmt.Fprintln(stderr, "wsaemu check: -workers must be at least 1")
		return shardID{}, false
	}
	sh, ok := parseShard(w.shard)
	if !ok {
		fmt.Fprintf(stderr, "wsaemu check: -shard must be i/n with 0 <= i < n, not %q\n", w.shard)
	}
	return sh, ok
}

// inShard says whether the i-th scenario (from 0) is the shard's.
func inShard(sh shardID, i int) bool { return i%sh.Count == sh.Index }

// scenarioResult is one scenario's exhaustive search: the scenario, its
// index in the list given to exhaustiveResults, each configuration's
// result, and the either/or branches no configuration reached.
type scenarioResult struct {
	index int
	sc    *spec.Scenario
	cfgs  []cfgResult
	never []string
}

// exhaustiveResults searches every configuration of the shard's scenarios
// on w.workers goroutines and returns the results by scenario, then by
// configuration, in order: the same whatever the number of workers, since
// each search is deterministic and depends on nothing another one does.
func (w exhaustiveWork) exhaustiveResults(scs []*spec.Scenario, sh shardID, kind, profile string, opt emulated.ExhaustiveOptions) []scenarioResult {
	var out []scenarioResult
	type item struct{ s, c int }
	var items []item
	for i, sc := range scs {
		if !inShard(sh, i) {
			continue
		}
		sr := scenarioResult{index: i, sc: sc}
		for _, cfg := range configs(sc, kind, profile) {
			sr.cfgs = append(sr.cfgs, cfgResult{cfg: cfg})
			items = append(items, item{len(out), len(sr.cfgs) - 1})
		}
		out = append(out, sr)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(w.workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(items) {
					return
				}
				it := items[k]
				res := &out[it.s].cfgs[it.c]
				res.r = emulated.Exhaustive(out[it.s].sc, res.cfg, opt)
			}
		}()
	}
	wg.Wait()
	for i := range out {
		out[i].never = neverReached(out[i].cfgs)
	}
	return out
}

// printFailing prints a configuration's failing schedules, each with its
// problems and the replay command, and returns how many there were.
func printFailing(w io.Writer, sc *spec.Scenario, cr cfgResult) int {
	for _, f := range cr.r.Failing {
		for _, p := range f.Problems {
			fmt.Fprintf(w, "      %s\n", p)
		}
		fmt.Fprintf(w, "      replay: wsaemu replay -choices %q -kind %s -profile %s %s\n", emulated.FormatChoices(f.Choices), cr.cfg.Kind, cr.cfg.Profile, sc.File)
	}
	return len(cr.r.Failing)
}

// neverReached lists, in the order first met, the either/or branches that
// every configuration left unreached.
func neverReached(cfgs []cfgResult) []string {
	missed := map[string]int{} // branch -> configurations that never reached it
	var order, never []string
	for _, cr := range cfgs {
		for _, u := range cr.r.Unreachable {
			if missed[u] == 0 {
				order = append(order, u)
			}
			missed[u]++
		}
	}
	for _, u := range order {
		if missed[u] == len(cfgs) {
			never = append(never, u)
		}
	}
	return never
}
