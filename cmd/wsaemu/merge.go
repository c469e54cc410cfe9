package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// exploreParams are the flags that define an explore run's work: shards
// of one run must agree on them.
type exploreParams struct {
	Paths   []string `json:"paths"`
	Seeds   int      `json:"seeds"`
	Start   uint64   `json:"start"`
	Mode    string   `json:"mode"`
	Depth   int      `json:"depth"`
	Kind    string   `json:"kind"`
	Profile string   `json:"profile"`
	Resets  bool     `json:"resets"`
	Splits  bool     `json:"splits"`
	Shrink  bool     `json:"shrink"`
}

// shardID says which part of the work a report covers: the work items
// whose index modulo Count is Index.
type shardID struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

func (s shardID) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

func parseShard(s string) (shardID, bool) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return shardID{}, false
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return shardID{}, false
	}
	return shardID{i, n}, true
}

// exploreReport is what explore -json writes: the run's parameters and
// shard, every group of work (all shards list the same), and the events
// this shard saw.
type exploreReport struct {
	Version  int            `json:"version"`
	Params   exploreParams  `json:"params"`
	Shard    shardID        `json:"shard"`
	Runs     int            `json:"runs"`
	Failing  int            `json:"failing"`
	Diverged int            `json:"divergences"`
	Groups   []groupReport  `json:"groups"`
	Events   []exploreEvent `json:"events"`
}

// groupReport is one scenario, configuration and mode: Items seeds, and
// the first failing one this shard found (-1: none).
type groupReport struct {
	File         string `json:"file"`
	Kind         string `json:"kind"`
	Profile      string `json:"profile"`
	Mode         string `json:"mode"`
	Items        int    `json:"items"`
	FirstFailure int    `json:"first_failure"`
}

// exploreEvent is a failure or a divergence at item Item of group Group,
// with the lines the report printed for it.
type exploreEvent struct {
	Group   int      `json:"group"`
	Item    int      `json:"item"`
	Failure bool     `json:"failure,omitempty"`
	Lines   []string `json:"lines"`
	Replay  string   `json:"replay,omitempty"`
	Shrunk  string   `json:"shrunk,omitempty"`
}

func writeReport(file string, r *exploreReport) error {
	if r.Events == nil {
		r.Events = []exploreEvent{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(b, '\n'), 0o644)
}

const mergeHelp = `Join the -json results of the shards of one explore run (explore -shard
i/n -json FILE, one file per shard) into the report the whole run would
have printed on one machine. Every shard 0..n-1 must be given exactly once,
all run with the same flags and scenarios; otherwise merge fails.`

func cmdMerge(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("merge", "FILE...", stderr, mergeHelp)
	jsonFile := fs.String("json", "", "also write the merged results to this file (as one shard 0/1)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "wsaemu merge: name the shards' result files")
		return exitUsage
	}
	var reps []*exploreReport
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu merge: %v\n", err)
			return exitScenario
		}
		r := &exploreReport{}
		if err := json.Unmarshal(b, r); err != nil || r.Version != 1 {
			if err == nil {
				err = fmt.Errorf("version %d, want 1", r.Version)
			}
			fmt.Fprintf(stderr, "wsaemu merge: %s: not an explore -json result: %v\n", f, err)
			return exitScenario
		}
		reps = append(reps, r)
	}
	merged, err := mergeReports(reps, fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu merge: %v\n", err)
		return exitUsage
	}
	printMerged(stdout, merged)
	if *jsonFile != "" {
		if err := writeReport(*jsonFile, merged); err != nil {
			fmt.Fprintf(stderr, "wsaemu merge: %v\n", err)
			return exitScenario
		}
	}
	if merged.Failing > 0 || merged.Diverged > 0 {
		return exitFailed
	}
	return exitOK
}

// mergeReports checks that the reports are the shards of one run, each
// once, none missing, and joins them. A shard stops a group at its own
// first failure; the whole run stops it at the earliest of them, and
// every item before that one was run by some shard (each ran its items up
// to its own first failure, which is no earlier): so the join is exactly
// the report of the unsharded run.
func mergeReports(reps []*exploreReport, names []string) (*exploreReport, error) {
	first := reps[0]
	n := first.Shard.Count
	seen := make([]string, n)
	for k, r := range reps {
		if r.Shard.Count != n || r.Shard.Index < 0 || r.Shard.Index >= n {
			return nil, fmt.Errorf("%s is shard %s, %s is shard %s: not shards of one split", names[0], first.Shard, names[k], r.Shard)
		}
		if !reflect.DeepEqual(r.Params, first.Params) {
			return nil, fmt.Errorf("%s and %s were run with different flags or scenarios", names[0], names[k])
		}
		if !reflect.DeepEqual(stripGroups(r.Groups), stripGroups(first.Groups)) {
			return nil, fmt.Errorf("%s and %s explored different work (the scenarios changed between the shards?)", names[0], names[k])
		}
		if seen[r.Shard.Index] != "" {
			return nil, fmt.Errorf("shard %s given twice (%s and %s)", r.Shard, seen[r.Shard.Index], names[k])
		}
		seen[r.Shard.Index] = names[k]
	}
	var missing []string
	for i, s := range seen {
		if s == "" {
			missing = append(missing, shardID{i, n}.String())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("shard(s) %s missing", strings.Join(missing, ", "))
	}
	out := &exploreReport{Version: 1, Params: first.Params, Shard: shardID{0, 1}, Groups: stripGroups(first.Groups)}
	for _, r := range reps {
		for gi, g := range r.Groups {
			if f := g.FirstFailure; f >= 0 && (out.Groups[gi].FirstFailure < 0 || f < out.Groups[gi].FirstFailure) {
				out.Groups[gi].FirstFailure = f
			}
		}
	}
	for _, r := range reps {
		for _, e := range r.Events {
			if f := out.Groups[e.Group].FirstFailure; f >= 0 && e.Item > f {
				continue // after the run's first failure in the group
			}
			out.Events = append(out.Events, e)
		}
	}
	sort.SliceStable(out.Events, func(i, j int) bool {
		a, b := out.Events[i], out.Events[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Item != b.Item {
			return a.Item < b.Item
		}
		return !a.Failure && b.Failure // a divergence is printed before its failure
	})
	for _, g := range out.Groups {
		if g.FirstFailure >= 0 {
			out.Runs += g.FirstFailure + 1
			out.Failing++
		} else {
			out.Runs += g.Items
		}
	}
	for _, e := range out.Events {
		if !e.Failure {
			out.Diverged++
		}
	}
	return out, nil
}

// stripGroups is the groups without what a shard found in them.
func stripGroups(gs []groupReport) []groupReport {
	out := make([]groupReport, len(gs))
	for i, g := range gs {
		g.FirstFailure = -1
		out[i] = g
	}
	return out
}

func printMerged(w io.Writer, r *exploreReport) {
	for _, e := range r.Events {
		for _, l := range e.Lines {
			fmt.Fprintln(w, l)
		}
	}
	fmt.Fprintln(w, summaryLine(r.Runs, r.Failing, r.Diverged))
}
