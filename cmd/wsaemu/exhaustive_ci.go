package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/wsaemu/wsaemu/spec/emulated"
)

const completeHelp = `

With -exhaustive -complete, a scenario whose tree of schedules was not
finished is a failure (exit 1): the bound left schedules out, or -max-runs
stopped the search. The line names the scenario and the configuration.
Unless -bound is given, -complete sets no bound, so only -max-runs can cut.
-list FILE takes the scenarios from FILE instead of the arguments (one path
a line; # starts a comment) and checks that the either/or branches no
configuration reaches are exactly those FILE names after the path
("unreachable: line L branch B, ..."): a branch that newly no schedule
reaches fails, and so does a listed one that some schedule now reaches.
spec/exhaustive.list is the corpus' list; CI runs it.`

// completeFlags are check's -complete and -list.
type completeFlags struct {
	complete bool
	list     string
}

func (cf *completeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&cf.complete, "complete", false, "-exhaustive: fail when a scenario's tree was not finished (bound or -max-runs); no bound unless -bound is given")
	fs.StringVar(&cf.list, "list", "", "-exhaustive -complete: the scenarios FILE names, and the branches it says no schedule reaches")
}

// exhaustiveList is a list file: the scenarios, in order, and for each the
// branches known to be reached in no configuration.
type exhaustiveList struct {
	paths []string
	known map[string][]string // path -> "line L branch B", sorted
}

var branchRef = regexp.MustCompile(`^line [1-9][0-9]* branch [1-9][0-9]*$`)

// readExhaustiveList parses a list file: one scenario path a line, then
// optionally "unreachable:" and a comma-separated list of branches; "#"
// starts a comment; blank lines are skipped.
func readExhaustiveList(r io.Reader, name string) (*exhaustiveList, error) {
	l := &exhaustiveList{known: map[string][]string{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		path, rest, has := strings.Cut(line, "unreachable:")
		path = strings.TrimSpace(path)
		if path == "" || strings.ContainsAny(path, " \t") {
			return nil, fmt.Errorf("%s:%d: want a scenario path, optionally followed by \"unreachable: line L branch B, ...\"", name, n)
		}
		if seen[path] {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", name, n, path)
		}
		seen[path] = true
		l.paths = append(l.paths, path)
		if !has {
			continue
		}
		var brs []string
		for _, b := range strings.Split(rest, ",") {
			b = strings.Join(strings.Fields(b), " ")
			if !branchRef.MatchString(b) {
				return nil, fmt.Errorf("%s:%d: %q is not \"line L branch B\"", name, n, b)
			}
			brs = append(brs, b)
		}
		sort.Strings(brs)
		l.known[path] = brs
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(l.paths) == 0 {
		return nil, fmt.Errorf("%s: no scenarios", name)
	}
	return l, nil
}

// checkComplete is check -exhaustive -complete (and -list): every
// scenario's tree must be finished, no schedule may fail, and with a list
// the branches no configuration reaches must be the listed ones.
func checkComplete(stdout, stderr io.Writer, fs *flag.FlagSet, kind, profile string, quiet bool, xf exhaustiveFlags, cf completeFlags, xw exhaustiveWork) int {
	set := setFlags(fs)
	if !onlyWith("check", set, stderr, "complete", "exhaustive", "list", "complete") {
		return exitUsage
	}
	if xf.bound < 0 || xf.maxRuns < 0 {
		fmt.Fprintln(stderr, "wsaemu check: -bound and -max-runs must not be negative")
		return exitUsage
	}
	if !set["bound"] {
		xf.bound = math.MaxInt32
	}
	sh, ok := xw.check(stderr)
	if !ok {
		return exitUsage
	}
	paths := fs.Args()
	var list *exhaustiveList
	if cf.list != "" {
		if len(paths) > 0 {
			fmt.Fprintln(stderr, "wsaemu check: -list names the scenarios: give no others")
			return exitUsage
		}
		if kind != "all" || profile != "all" {
			fmt.Fprintln(stderr, "wsaemu check: -list's unreachable branches are over every configuration: use it with -kind all -profile all")
			return exitUsage
		}
		f, err := os.Open(cf.list)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu check: %v\n", err)
			return exitUsage
		}
		list, err = readExhaustiveList(f, cf.list)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu check: %v\n", err)
			return exitUsage
		}
		paths = list.paths
	}
	scs, code := load(paths, stderr)
	if code != 0 {
		return code
	}
	if list != nil && len(scs) != len(list.paths) {
		fmt.Fprintf(stderr, "wsaemu check: %s: name scenario files, not directories\n", cf.list)
		return exitUsage
	}
	// A shard checks its own scenarios, and their entries of the list.
	var nScenarios, runs, cfgN, incomplete, failing, unlisted, stale int
	for _, sr := range xw.exhaustiveResults(scs, sh, kind, profile, emulated.ExhaustiveOptions{Bound: xf.bound, MaxRuns: xf.maxRuns, NoPrune: xf.noPrune}) {
		sc, never := sr.sc, sr.never
		nScenarios++
		for _, cr := range sr.cfgs {
			cfg, r := cr.cfg, cr.r
			cfgN++
			runs += r.Runs
			where := fmt.Sprintf("%s [%s/%s]", sc.File, cfg.Kind, cfg.Profile)
			switch {
			case r.Budget:
				incomplete++
				fmt.Fprintf(stdout, "INCOMPLETE %s: -max-runs %d stopped the search before the tree was finished\n", where, xf.maxRuns)
			case r.BoundHit:
				incomplete++
				fmt.Fprintf(stdout, "INCOMPLETE %s: -bound %d left schedules out (%d run)\n", where, xf.bound, r.Runs)
			case len(r.Failing) > 0:
				fmt.Fprintf(stdout, "FAIL  %s complete: %d schedules, %d distinct outcomes\n", where, r.Runs, len(r.Outcomes))
			case !quiet:
				fmt.Fprintf(stdout, "ok    %s complete: %d schedules, %d distinct outcomes\n", where, r.Runs, len(r.Outcomes))
			}
			failing += printFailing(stdout, sc, cr)
		}
		if list == nil {
			if len(never) > 0 && !quiet {
				fmt.Fprintf(stdout, "      %s: reached in no configuration: %s\n", sc.File, strings.Join(never, ", "))
			}
			continue
		}
		// One scenario per path, in the list's order.
		path := list.paths[sr.index]
		known := map[string]bool{}
		for _, b := range list.known[path] {
			known[b] = true
		}
		isNever := map[string]bool{}
		for _, b := range never {
			isNever[b] = true
			if !known[b] {
				unlisted++
				fmt.Fprintf(stdout, "UNREACHABLE %s: no schedule in any configuration reaches %s, and %s does not list it\n", sc.File, b, cf.list)
			}
		}
		for _, b := range list.known[path] {
			if !isNever[b] {
				stale++
				fmt.Fprintf(stdout, "STALE %s: %s lists %s as unreachable, but a schedule reaches it (or the scenario has no such branch)\n", sc.File, cf.list, b)
			}
		}
	}
	fmt.Fprintf(stdout, "%d scenarios, %d configurations, %d schedules: %d incomplete, %d failing schedule(s)", nScenarios, cfgN, runs, incomplete, failing)
	if list != nil {
		fmt.Fprintf(stdout, ", %d unlisted unreachable branch(es), %d stale list entr(ies)", unlisted, stale)
	}
	fmt.Fprintln(stdout)
	if incomplete+failing+unlisted+stale > 0 {
		return exitFailed
	}
	return exitOK
}
