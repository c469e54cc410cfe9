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

// exhaustiveResults searches every configuration of every scenario on
// w.workers goroutines and returns the results by scenario, then by
// configuration, in order: the same whatever the number of workers, since
// each search is deterministic and depends on nothing another one does.
func (w exhaustiveWork) exhaustiveResults(scs []*spec.Scenario, kind, profile string, opt emulated.ExhaustiveOptions) [][]cfgResult {
	out := make([][]cfgResult, len(scs))
	type item struct{ s, c int }
	var items []item
	for i, sc := range scs {
		for _, cfg := range configs(sc, kind, profile) {
			out[i] = append(out[i], cfgResult{cfg: cfg})
			items = append(items, item{i, len(out[i]) - 1})
		}
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
				res := &out[it.s][it.c]
				res.r = emulated.Exhaustive(scs[it.s], res.cfg, opt)
			}
		}()
	}
	wg.Wait()
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

// neverReached lists, in order, the branches that all n configurations
// missed: missed counts, per branch, the configurations that never
// reached it.
func neverReached(order []string, missed map[string]int, n int) []string {
	var never []string
	for _, u := range order {
		if missed[u] == n {
			never = append(never, u)
		}
	}
	return never
}
