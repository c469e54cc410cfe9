package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

const exploreHelp = `Run scenarios under many schedules: every open decision (complete now or
pend, which routine runs first, which thread goes next, does a cancel win)
is drawn from a seed. Reports every seed that breaks an expectation, makes
an unexpected sanitizer finding, or fails the liveness check, with the
command that replays it, and (-shrink) the fewest unusual decisions that
still fail the same way, with their timeline. A sample of seeds is run
twice to check that the same seed gives the same trace.

Modes: seeded draws every decision uniformly; swarm draws, per seed, how
often each kind of decision is unusual; hostile takes the least expected
outcome everywhere (one run); pct gives threads random priorities and
lowers the running one at depth-1 random points (PCT), which finds bugs
that need a few precise preemptions.

The work (scenario x configuration x mode x seed) runs on -workers
goroutines; the report is the same for any number of workers. To spread
it over n machines, run shard i of n on each (-shard i/n, i from 0), write
each shard's results with -json FILE and join them with wsaemu merge:

    wsaemu explore -seeds 1000 -shard 0/4 -json r0.json spec/scenarios
    ...
    wsaemu merge r0.json r1.json r2.json r3.json

In a CI matrix, pass the matrix index (-shard ${{ matrix.shard }}/4); in
a Kubernetes Indexed Job with completions n, -shard $JOB_COMPLETION_INDEX/n,
each pod writing its -json file to a shared volume; then run merge on the
files. merge fails when a shard is missing or given twice. The recipes are
in docs/explore-shards.md.`

func cmdExplore(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explore", "FILE|DIR", stderr, exploreHelp)
	var p exploreParams
	fs.IntVar(&p.Seeds, "seeds", 100, "how many seeds to try per scenario, configuration and mode")
	fs.Uint64Var(&p.Start, "start", 1, "first seed")
	fs.StringVar(&p.Mode, "mode", "all", "seeded (uniform draws), swarm (per-seed biases), hostile (the least expected outcome, one run),\npct (priority changes at -depth-1 random points) or all")
	fs.IntVar(&p.Depth, "depth", 3, "pct: the bug depth searched for (depth-1 priority change points per run)")
	fs.StringVar(&p.Kind, "kind", "all", "provider kind: nonifs, ifs, layered or all")
	fs.StringVar(&p.Profile, "profile", "all", "profile: windows, docs or all")
	fs.BoolVar(&p.Resets, "resets", false, "let the schedule also reset TCP connections at any point (the network's resets), to find code that does not handle them")
	fs.BoolVar(&p.Splits, "splits", false, "let the schedule also hand TCP receives fewer bytes than are waiting, to find code that assumes a receive gets a whole send")
	fs.BoolVar(&p.Shrink, "shrink", true, "shrink a failing schedule to the fewest unusual decisions and show its timeline")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "how many runs at once (the report does not depend on it)")
	shard := fs.String("shard", "0/1", "run only shard i of n (i/n, i from 0): every n-th work item, for splitting a run across machines")
	jsonFile := fs.String("json", "", "also write the results (runs, failures with replay commands, divergences, shard) to this file, for wsaemu merge")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "wsaemu explore: name a scenario file or directory")
		return exitUsage
	}
	modes := map[string][]string{"all": {"hostile", "seeded", "swarm", "pct"}, "seeded": {"seeded"}, "swarm": {"swarm"}, "hostile": {"hostile"}, "pct": {"pct"}}[p.Mode]
	if modes == nil {
		fmt.Fprintln(stderr, "wsaemu explore: -mode must be seeded, swarm, hostile, pct or all")
		return exitUsage
	}
	if p.Seeds < 1 || !validKindProfile(p.Kind, p.Profile, stderr) {
		if p.Seeds < 1 {
			fmt.Fprintln(stderr, "wsaemu explore: -seeds must be at least 1")
		}
		return exitUsage
	}
	if p.Depth < 1 {
		fmt.Fprintln(stderr, "wsaemu explore: -depth must be at least 1")
		return exitUsage
	}
	if *workers < 1 {
		fmt.Fprintln(stderr, "wsaemu explore: -workers must be at least 1")
		return exitUsage
	}
	sh, ok := parseShard(*shard)
	if !ok {
		fmt.Fprintf(stderr, "wsaemu explore: -shard must be i/n with 0 <= i < n, not %q\n", *shard)
		return exitUsage
	}
	p.Paths = fs.Args()
	// A run allocates a few kilobytes and keeps none of them, while the
	// parsed corpus stays live throughout: collecting whenever the heap
	// has doubled would mark the corpus again every few hundred runs. Let
	// the heap grow to five times what is live between collections (a few
	// tens of megabytes more), unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(exploreGCPercent))
	}
	// Fewer workers than processors: the processors no worker needs would
	// only spin looking for work at every hand-off between an emulated
	// thread and its driver (two a step), so explore runs on as many as it
	// has workers, unless GOMAXPROCS says otherwise.
	if os.Getenv("GOMAXPROCS") == "" && *workers < runtime.GOMAXPROCS(0) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*workers))
	}
	scs, code := loadOn(p.Paths, *workers, stderr)
	if code != 0 {
		return code
	}

	// The work: one group per scenario, configuration and mode, one item
	// per seed of a group, numbered across groups; the shard keeps the
	// items whose number modulo n is i.
	var groups []*exploreGroup
	var offsets []int // the number of each group's first item
	total := 0
	for _, sc := range scs {
		for _, cfg := range configs(sc, p.Kind, p.Profile) {
			for _, m := range modes {
				n := p.Seeds
				if m == "hostile" {
					n = 1
				}
				cfg.Resets, cfg.Splits = p.Resets, p.Splits
				g := &exploreGroup{sc: sc, cfg: cfg, mode: m, n: n, start: p.Start, depth: p.Depth, shrink: p.Shrink}
				g.first.Store(int64(n))
				groups = append(groups, g)
				offsets = append(offsets, total)
				total += n
			}
		}
	}
	count := 0 // the shard's items
	if total > sh.Index {
		count = (total - sh.Index + sh.Count - 1) / sh.Count
	}
	// item returns the shard's k-th item: its group and seed index.
	item := func(k int) exploreItem {
		global := sh.Index + k*sh.Count
		g := sort.Search(len(offsets), func(j int) bool { return offsets[j] > global }) - 1
		return exploreItem{g: g, i: global - offsets[g]}
	}

	// Workers claim items in order and may finish them in any order; the
	// report below reads the results in item order, so it is the same
	// for any number of workers. At most window items are claimed and not
	// yet reported (the one the report waits for is always among them),
	// so memory does not grow with the run. A group stops at its first
	// failing seed (as a run on one worker does): items after one are
	// skipped.
	type done struct {
		k       int
		skipped bool // after its group's first failure: not run
		r       itemResult
	}
	const window = 4096
	tokens := make(chan struct{}, window)
	results := make(chan done, window)
	quit := make(chan struct{})
	var claimed atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < *workers && w < count; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newExploreWorker()
			defer wk.pool.Close()
			for {
				select {
				case tokens <- struct{}{}:
				case <-quit:
					return
				}
				k := int(claimed.Add(1) - 1)
				if k >= count || stop.Load() {
					<-tokens
					return
				}
				it := item(k)
				g := groups[it.g]
				if int64(it.i) > g.first.Load() {
					results <- done{k: k, skipped: true}
					continue
				}
				results <- done{k: k, r: wk.runItem(g, it.i)}
			}
		}()
	}
	defer func() {
		stop.Store(true)
		close(quit)
		wg.Wait()
	}()

	rep := exploreReport{Version: 1, Params: p, Shard: sh}
	for _, g := range groups {
		rep.Groups = append(rep.Groups, groupReport{File: g.sc.File, Kind: g.cfg.Kind, Profile: g.cfg.Profile, Mode: g.mode, Items: g.n, FirstFailure: -1})
	}
	prog := newProgress(stderr)
	defer prog.clear()
	// The results that came before the one the report waits for, each in
	// the slot of its number modulo window: the items claimed and not yet
	// reported are fewer than window (each holds a token), so no two of
	// them share a slot.
	got := make([]done, window)
	have := make([]bool, window)
	next := 0
	for next < count {
		d := <-results
		got[d.k%window], have[d.k%window] = d, true
		for ; next < count; next++ {
			slot := next % window
			if !have[slot] {
				break
			}
			d := got[slot]
			got[slot], have[slot] = done{}, false
			r := &d.r
			<-tokens
			it := item(next)
			gr := &rep.Groups[it.g]
			if gr.FirstFailure >= 0 {
				continue // after the group's first failure: not part of the run
			}
			rep.Runs++
			if rep.Runs%100 == 0 {
				prog.show(fmt.Sprintf("explored %d runs…", rep.Runs))
			}
			if r.scenarioErr != nil {
				prog.clear()
				fmt.Fprintf(stderr, "wsaemu: %v\n", r.scenarioErr)
				return exitScenario
			}
			if r.diverged != "" {
				rep.Diverged++
				prog.clear()
				fmt.Fprintln(stdout, r.diverged)
				rep.Events = append(rep.Events, exploreEvent{Group: it.g, Item: it.i, Lines: []string{r.diverged}})
			}
			if r.fail != nil {
				rep.Failing++
				gr.FirstFailure = it.i
				prog.clear()
				for _, l := range r.fail {
					fmt.Fprintln(stdout, l)
				}
				rep.Events = append(rep.Events, exploreEvent{Group: it.g, Item: it.i, Failure: true, Lines: r.fail, Replay: r.replay, Shrunk: r.shrunk})
			}
		}
	}
	prog.clear()
	fmt.Fprintln(stdout, summaryLine(rep.Runs, rep.Failing, rep.Diverged))
	if *jsonFile != "" {
		if err := writeReport(*jsonFile, &rep); err != nil {
			fmt.Fprintf(stderr, "wsaemu explore: %v\n", err)
			return exitScenario
		}
	}
	if rep.Failing > 0 || rep.Diverged > 0 {
		return exitFailed
	}
	return exitOK
}

// exploreGCPercent is explore's GOGC when the environment sets none.
const exploreGCPercent = 400

func summaryLine(runs, bad, diverged int) string {
	return fmt.Sprintf("%d runs, %d failing schedule(s), %d divergence(s)", runs, bad, diverged)
}

// exploreGroup is one scenario under one configuration and mode: its
// seeds are the group's items.
type exploreGroup struct {
	sc     *spec.Scenario
	cfg    spec.RunConfig
	mode   string
	n      int
	start  uint64
	depth  int
	shrink bool
	first  atomic.Int64 // the lowest failing item found so far (n: none)

	pctOnce sync.Once
	pctLen  int
}

type exploreItem struct{ g, i int }

// itemResult is what one run found, rendered as the report prints it.
type itemResult struct {
	scenarioErr error
	diverged    string
	fail        []string // the FAIL block's lines
	replay      string
	shrunk      string
}

// noteFailure lowers the group's first failing item to i.
func (g *exploreGroup) noteFailure(i int) {
	for {
		cur := g.first.Load()
		if int64(i) >= cur || g.first.CompareAndSwap(cur, int64(i)) {
			return
		}
	}
}

// pctLength is the run length PCT's change points are drawn from: the
// scheduling decisions of the group's scenario in one run at depth 1
// (seed 0), measured once, on the emulator of the worker that first asks.
// Replay measures it the same way.
func (g *exploreGroup) pctLength(w *exploreWorker) int {
	g.pctOnce.Do(func() {
		var rep *spec.Report
		g.pctLen, rep = pctLengthOn(w.em, w.rep, g.sc, g.cfg)
		w.rep = rep
	})
	return g.pctLen
}

func pctLength(sc *spec.Scenario, cfg spec.RunConfig) int {
	n, _ := pctLengthOn(newEmulator(), nil, sc, cfg)
	return n
}

// pctLengthOn measures pctLength on em, writing its report into rep (see
// spec.RunInto), which it returns; em keeps the chooser it had.
func pctLengthOn(em *emulated.Emulator, rep *spec.Report, sc *spec.Scenario, cfg spec.RunConfig) (int, *spec.Report) {
	cfg.Seed, cfg.Seeded, cfg.Swarm, cfg.Hostile = 0, false, false, false
	c := emu.PCTChooser(0, 1)
	was := em.Chooser
	em.Chooser = c
	rep = spec.RunInto(rep, sc, em, cfg)
	em.Chooser = was
	return max(c.Steps(), 1), rep
}

// itemConfig is the run configuration of the group's item with this
// seed and, for pct, the run length its chooser draws change points from
// (0 for the other modes, whose chooser the configuration names).
func (g *exploreGroup) itemConfig(w *exploreWorker, seed uint64) (spec.RunConfig, int) {
	c := g.cfg
	switch g.mode {
	case "hostile":
		c.Hostile = true
	case "swarm":
		c.Swarm, c.Seed, c.Seeded = true, seed, true
	case "pct":
		c.Seed, c.Seeded = seed, true
		return c, g.pctLength(w)
	default:
		c.Seed, c.Seeded = seed, true
	}
	return c, 0
}

// pctChooser is the chooser of the pct item with this seed, its change
// points drawn from runs of length steps.
func (g *exploreGroup) pctChooser(seed uint64, length int) *emu.PCT {
	return emu.PCTChooser(seed, g.depth).SetLength(length)
}

// exploreWorker is one worker's state, kept from run to run: the two
// emulators its runs and their determinism re-runs use, so that a run
// does not build a backend of its own, and the re-run's trace can be
// compared with the run's while both are still there.
type exploreWorker struct {
	em, again *emulated.Emulator
	rep, arep *spec.Report       // their reports, made once
	pool      *emu.GoroutinePool // the goroutines both run their threads on
	chooser   emu.Chooser        // what newEmulator gives a run (nil: the configuration decides)
	// The choosers of a pct item's run and re-run: each item's is made
	// over the last one's, as PCTChooser makes a new one.
	pct, apct emu.PCT
}

func newExploreWorker() *exploreWorker {
	w := &exploreWorker{em: newEmulator(), again: newEmulator(), pool: emu.NewGoroutinePool()}
	w.chooser = w.em.Chooser
	w.em.Pool, w.again.Pool = w.pool, w.pool
	return w
}

func (w *exploreWorker) runItem(g *exploreGroup, i int) (r itemResult) {
	sc := g.sc
	c, length := g.itemConfig(w, g.seed(i))
	// emFor readies em for the item's run: the worker's chooser, or the
	// item's pct chooser, made in p.
	emFor := func(em *emulated.Emulator, p *emu.PCT) *emulated.Emulator {
		em.Chooser = w.chooser
		if length > 0 {
			*p = *g.pctChooser(c.Seed, length)
			em.Chooser = p
		}
		return em
	}
	em := emFor(w.em, &w.pct)
	rep := spec.RunInto(w.rep, sc, em, c)
	w.rep = rep
	if isScenarioErr(rep) {
		r.scenarioErr = rep.Err
		g.noteFailure(i)
		return r
	}
	// Determinism: every tenth schedule is run again and must give the
	// same trace, event for event.
	if i%10 == 0 {
		again := emFor(w.again, &w.apct)
		w.arep = spec.RunInto(w.arep, sc, again, c)
		if d := traceDifference(em.System().Trace(), again.System().Trace()); d != "" {
			r.diverged = fmt.Sprintf("DIVERGED  %s [%s/%s] %s: the same schedule gave two different traces (%s)", sc.File, c.Kind, c.Profile, g.describe(c), d)
		}
	}
	problems := problemsOf(rep)
	if len(problems) == 0 {
		return r
	}
	g.noteFailure(i)
	r.fail = append(r.fail, fmt.Sprintf("FAIL  %s [%s/%s] %s", sc.File, c.Kind, c.Profile, g.describe(c)))
	for _, f := range problems {
		r.fail = append(r.fail, "      "+f)
	}
	r.replay = fmt.Sprintf("wsaemu replay %s-kind %s -profile %s %s", g.replayFlags(c), c.Kind, c.Profile, sc.File)
	r.fail = append(r.fail, "      replay: "+r.replay)
	if g.shrink {
		var mk func() emu.Chooser
		if length > 0 {
			mk = func() emu.Chooser { return g.pctChooser(c.Seed, length) }
		}
		lines, cmd := shrinkFailure(g, c, mk, problems)
		r.shrunk = cmd
		r.fail = append(r.fail, lines...)
	}
	return r
}

// traceDifference compares two runs' traces event by event, every field
// of every event (so two traces that render alike but differ in a field
// the text leaves out differ too), and describes the first difference,
// rendered; "" when they are the same. It allocates nothing when they are.
func traceDifference(a, b *emu.Trace) string {
	if a == nil || b == nil {
		if a != b {
			return "one run kept no trace"
		}
		return ""
	}
	n := min(a.Len(), b.Len())
	for i := 0; i < n; i++ {
		if !a.At(i).Equal(b.At(i)) {
			return fmt.Sprintf("first difference at event %d: %q, then %q", i+1, strings.TrimSpace(a.At(i).String()), strings.TrimSpace(b.At(i).String()))
		}
	}
	switch {
	case a.Len() > n:
		return fmt.Sprintf("the first has %d events, the second %d; the first's next: %q", a.Len(), b.Len(), strings.TrimSpace(a.At(n).String()))
	case b.Len() > n:
		return fmt.Sprintf("the first has %d events, the second %d; the second's next: %q", a.Len(), b.Len(), strings.TrimSpace(b.At(n).String()))
	}
	return ""
}

func (g *exploreGroup) seed(i int) uint64 { return g.start + uint64(i) }

// problemsOf lists what a run broke: failed expectations, unexpected
// findings, liveness.
func problemsOf(rep *spec.Report) []string {
	problems := rep.Failures()
	for _, l := range rep.Liveness {
		problems = append(problems, "liveness: "+l)
	}
	return problems
}

func (g *exploreGroup) describe(c spec.RunConfig) string {
	if g.mode == "pct" {
		return fmt.Sprintf("pct depth %d seed %d", g.depth, c.Seed)
	}
	return describe(g.mode, c)
}

func (g *exploreGroup) replayFlags(c spec.RunConfig) string {
	if g.mode == "pct" {
		return fmt.Sprintf("%s-pct -depth %d -seed %d ", extraFlags(c), g.depth, c.Seed)
	}
	return replayFlags(g.mode, c)
}

func extraFlags(c spec.RunConfig) string {
	r := ""
	if c.Resets {
		r = "-resets "
	}
	if c.Splits {
		r += "-splits "
	}
	return r
}

func describe(mode string, c spec.RunConfig) string {
	if mode == "hostile" {
		return "hostile schedule"
	}
	return fmt.Sprintf("%s seed %d", mode, c.Seed)
}

func replayFlags(mode string, c spec.RunConfig) string {
	r := extraFlags(c)
	switch mode {
	case "hostile":
		return r + "-hostile "
	case "swarm":
		return fmt.Sprintf("%s-swarm -seed %d ", r, c.Seed)
	}
	return fmt.Sprintf("%s-seed %d ", r, c.Seed)
}

func cmdReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("replay", "FILE", stderr, "Re-run one schedule of a scenario (the seed explore reported) and print its\ntimeline and full trace.")
	addWidthFlag(fs)
	seed := fs.Uint64("seed", 0, "the seed to replay")
	swarm := fs.Bool("swarm", false, "the seed is a swarm seed")
	hostile := fs.Bool("hostile", false, "replay the hostile schedule (no seed)")
	pct := fs.Bool("pct", false, "the seed is a pct seed (explore -mode pct)")
	depth := fs.Int("depth", 3, "pct: the depth the seed was explored with")
	resetsR := fs.Bool("resets", false, "the schedule explored resets (explore -resets)")
	splitsR := fs.Bool("splits", false, "the schedule explored splits of stream receives (explore -splits)")
	choices := fs.String("choices", "", "replay this decision list (as check-trace -v prints it, e.g. \"pend:1/2 apc-order:1/2\")")
	kind := fs.String("kind", "nonifs", "provider kind: nonifs or ifs")
	profile := fs.String("profile", "windows", "profile: windows or docs")
	format := fs.String("format", "trace", "trace (full trace as text), json, text (lanes), html or perfetto")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	set := setFlags(fs)
	// -seed 0 is a seed like any other (explore -start 0 reports it):
	// what counts is whether -seed was given.
	schedules := 0
	for _, f := range []string{"seed", "hostile", "choices"} {
		if set[f] {
			schedules++
		}
	}
	if fs.NArg() != 1 || schedules != 1 {
		fmt.Fprintln(stderr, "wsaemu replay: give one of -seed N, -hostile or -choices LIST, and one scenario file")
		return exitUsage
	}
	if !onlyWith("replay", set, stderr, "swarm", "seed", "pct", "seed", "depth", "pct") || (*pct && *swarm) {
		if *pct && *swarm {
			fmt.Fprintln(stderr, "wsaemu replay: -pct and -swarm name different seeds; give one")
		}
		return exitUsage
	}
	switch *format {
	case "text", "trace", "json", "html", "perfetto":
	default:
		fmt.Fprintf(stderr, "wsaemu replay: -format must be trace, json, text, html or perfetto, not %q\n", *format)
		return exitUsage
	}
	var em *emulated.Emulator
	if *choices != "" {
		cs, err := emulated.ParseChoices(*choices)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu replay: -choices: %v\n", err)
			return exitUsage
		}
		em = &emulated.Emulator{Chooser: emu.ReplayChooser(cs)}
	}
	if !validKindProfile(*kind, *profile, stderr) || *kind == "all" || *profile == "all" {
		return exitUsage
	}
	scs, code := load(fs.Args(), stderr)
	if code != 0 {
		return code
	}
	cfg := spec.RunConfig{Kind: *kind, Profile: *profile, Seed: *seed, Seeded: set["seed"], Swarm: *swarm, Hostile: *hostile, Resets: *resetsR, Splits: *splitsR}
	if *pct {
		if *depth < 1 {
			fmt.Fprintln(stderr, "wsaemu replay: -depth must be at least 1")
			return exitUsage
		}
		// The change points are drawn from the run length explore
		// measured; measure it the same way.
		length := pctLength(scs[0], cfg)
		em = newEmulator()
		em.Chooser = emu.PCTChooser(*seed, *depth).SetLength(length)
	}
	rep := show(stdout, scs[0], cfg, *format, em)
	for _, f := range rep.Failures() {
		fmt.Fprintf(stderr, "%s\n", f)
	}
	switch {
	case isScenarioErr(rep):
		return exitScenario
	case !rep.Passed():
		return exitFailed
	}
	return exitOK
}
