package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wsaemu/wsaemu/spec/timeline"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"github.com/wsaemu/wsaemu/spec/native"
	"github.com/wsaemu/wsaemu/trace"
)

const checkTraceHelp = `Check a recorded trace against the model. FILE is either of two formats,
told apart by its first line.

A free-form trace (docs/trace-format.md: JSON Lines, header
{"format":"wsaemu-trace","version":1}) records what any program saw: per
thread, each call with its arguments and results, each completion routine
and APC that ran, each read of a record's field, with optional timestamps.
The objects are rebuilt from the trace and the model's decisions, the
threads' interleavings (as their orders and the timestamps allow) and the
moments the machine settles are searched for a schedule that explains every
record. The answer is "permitted" with the schedule (-schedule replays it
and prints the timeline; -v prints it too), "NOT permitted" with the first
record no schedule explains, the rule it breaks where known and what the
model does there, or "undecided" when -max-runs or -max-steps (the
records all runs replay together) ran out first (exit 4). A
call the checker does not model is reported as "unsupported call X" (exit
3). With -record -format v1, a scenario's emulator run is written in this
format (-untimed: without timestamps).

A scenario-run trace holds one JSON
line per run, as cmd/wsaemu-native writes them under Wine or on Windows:
each step's line, call, outcome, the blocked calls that returned meanwhile,
and which expectations failed. For each run the scenario is loaded (its
path as recorded, relative to the current directory or to -dir) and the
emulator's schedules are searched for one under which every step comes out
exactly as recorded. A run is "permitted" when one does (the schedule is
printed: every open decision as point:pick/n), "NOT permitted" otherwise,
with the first step no schedule could match, what was recorded there and
what the model does there instead.

What is compared: whether the call blocked, its return value and error,
every out-parameter both sides report, the calls that returned meanwhile,
and which expectations held. An out-parameter the model leaves unwritten
("untouched") may hold anything; ephemeral ports match up to a consistent
renaming; a function pointer only has to be non-null.

Native runs are checked as an IFS provider under the windows profile (what
they ran as); runs recorded from the emulator under their own kind and
profile. Runs that were skipped are skipped; a run stopped by an error is
checked up to the step that stopped it.

With -allow-deviations, the steps listed in spec/native's known Wine
deviations (where Wine departs from Windows, with the evidence) end the
check of their run: the steps before the first one are checked, the rest
are not, and a deviation of the whole run skips it.

With -record, the arguments are scenarios instead: each is run on the
emulator (under -seed, or the usual schedule) and its runs are written as
a trace in the same format, to make traces for tests.

Exit codes: 0 every run permitted, 1 some run not permitted, 3 the trace or
a scenario could not be read (file:line), 4 undecided within -max-runs.`

func cmdCheckTrace(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check-trace", "FILE", stderr, checkTraceHelp)
	dir := fs.String("dir", "", "directory the recorded scenario paths are relative to (default: the current one)")
	allowDev := fs.Bool("allow-deviations", false, "stop checking a run at its first known Wine deviation (spec/native)")
	maxRuns := fs.Int("max-runs", emulated.MaxTraceRuns, "bound on the runs one search makes")
	verbose := fs.Bool("v", false, "print the timeline of each permitted run's schedule")
	record := fs.Bool("record", false, "run the scenarios named on the emulator and write their trace instead")
	seed := fs.Uint64("seed", 0, "with -record: make open decisions from this seed (0: the usual schedule)")
	kind := fs.String("kind", "all", "with -record: provider kind: nonifs, ifs or all")
	profile := fs.String("profile", "all", "with -record: profile: windows, docs or all")
	format := fs.String("format", "runs", "with -record: runs (one line per scenario run) or v1 (a "+trace.FormatName+" trace per run: docs/trace-format.md)")
	maxSteps := fs.Int("max-steps", emulated.MaxFreeSteps, "with a "+trace.FormatName+" trace: bound on the records all runs of the search replay together")
	schedule := fs.String("schedule", "", "with a "+trace.FormatName+" trace: replay these decisions (as a permitted answer prints them) instead of searching, and print the timeline")
	untimed := fs.Bool("untimed", false, "with -record -format v1: leave out the timestamps")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	set := setFlags(fs)
	if !onlyWith("check-trace", set, stderr, "seed", "record", "kind", "record", "profile", "record", "format", "record", "untimed", "record") {
		return exitUsage
	}
	if *record {
		for _, f := range []string{"dir", "allow-deviations", "max-runs", "v"} {
			if set[f] {
				fmt.Fprintf(stderr, "wsaemu check-trace: -%s does not apply with -record\n", f)
				return exitUsage
			}
		}
		if fs.NArg() == 0 {
			fmt.Fprintln(stderr, "wsaemu check-trace -record: name one or more scenarios")
			return exitUsage
		}
		if !validKindProfile(*kind, *profile, stderr) {
			return exitUsage
		}
		switch *format {
		case "runs":
			if set["untimed"] {
				fmt.Fprintln(stderr, "wsaemu check-trace: -untimed applies to -format v1")
				return exitUsage
			}
			return recordTrace(fs.Args(), *seed, *kind, *profile, stdout, stderr)
		case "v1":
			return recordFree(fs.Args(), *seed, *kind, *profile, !*untimed, stdout, stderr)
		}
		fmt.Fprintf(stderr, "wsaemu check-trace: -format %q: want runs or v1\n", *format)
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "wsaemu check-trace: name one trace file")
		return exitUsage
	}
	if *maxRuns < 1 {
		fmt.Fprintln(stderr, "wsaemu check-trace: -max-runs must be at least 1")
		return exitUsage
	}
	file := fs.Arg(0)
	for _, f := range []string{"schedule", "max-steps"} {
		if set[f] && !isFreeTrace(file) {
			fmt.Fprintf(stderr, "wsaemu check-trace: -%s applies to a %s trace\n", f, trace.FormatName)
			return exitUsage
		}
	}
	if isFreeTrace(file) {
		for _, f := range []string{"dir", "allow-deviations"} {
			if set[f] {
				fmt.Fprintf(stderr, "wsaemu check-trace: -%s does not apply to a %s trace\n", f, trace.FormatName)
				return exitUsage
			}
		}
		if *maxSteps < 1 {
			fmt.Fprintln(stderr, "wsaemu check-trace: -max-steps must be at least 1")
			return exitUsage
		}
		return checkFreeTrace(file, *maxRuns, *maxSteps, *verbose, *schedule, set["schedule"], stdout, stderr)
	}
	runs, err := readTrace(file)
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %v\n", err)
		return exitScenario
	}
	permitted, bad, skipped, unreadable := 0, 0, 0, 0
	for _, r := range runs {
		res := r.Result
		if res.Skipped != "" {
			skipped++
			fmt.Fprintf(stdout, "skipped        %s (%s)\n", res.File, res.Skipped)
			continue
		}
		sc, err := loadTraced(res.File, *dir)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %v\n", file, r.Line, err)
			unreadable++
			continue
		}
		if res.Kind == "native" {
			if ok, why := native.Applies(sc); !ok {
				skipped++
				fmt.Fprintf(stdout, "skipped        %s (%s)\n", res.File, why)
				continue
			}
		}
		cfg := recordedConfig(res)
		obs, err := observedSteps(res)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %s: %v\n", file, r.Line, res.File, err)
			unreadable++
			continue
		}
		var notes []string
		if res.Error != "" {
			notes = append(notes, fmt.Sprintf("the run stopped: %s; checked the %d steps before", oneLineText(res.Error, 160), len(obs)))
		}
		if *allowDev {
			if d := native.FindDeviation(res.File, "(run)"); d != nil {
				skipped++
				fmt.Fprintf(stdout, "skipped        %s (known Wine deviation for the whole run: %s)\n", res.File, d.What)
				continue
			}
			obs, notes = cutAt(obs, notes, "a known Wine deviation shows", func(call string) string {
				if d := native.FindDeviation(res.File, call); d != nil {
					return d.What
				}
				return ""
			})
		}
		// Where Windows' behaviour is unsettled the model takes the
		// page's reading while the scenario accepts either: the check
		// stops there.
		obs, notes = cutAt(obs, notes, "Windows' behaviour is unsettled", func(call string) string {
			if u := native.FindUnsettled(res.File, call); u != nil {
				return u.Open
			}
			return ""
		})
		tc, err := emulated.CheckObservedWithin(sc, cfg, obs, *maxRuns)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %v\n", file, r.Line, err)
			unreadable++
			continue
		}
		if tc.Permitted {
			permitted++
			if tc.Undefined != "" {
				notes = append(notes, fmt.Sprintf("compared up to line %d: there the program does what the pages call undefined (%s), so anything after is permitted", obs[tc.UndefinedStep].Line, oneLineText(tc.Undefined, 160)))
			}
			fmt.Fprintf(stdout, "permitted      %s [%s/%s] %d steps, %d run(s); schedule: %s\n", res.File, cfg.Kind, cfg.Profile, tc.Steps, tc.Runs, tc.Schedule())
			for _, n := range notes {
				fmt.Fprintf(stdout, "      %s\n", n)
			}
			if *verbose {
				showSchedule(stdout, sc, cfg, tc.Choices)
			}
			continue
		}
		bad++
		fmt.Fprintf(stdout, "NOT permitted  %s [%s/%s]\n", res.File, cfg.Kind, cfg.Profile)
		fmt.Fprintf(stdout, "      %s:%d: %s\n", sc.File, tc.Line, tc.Call)
		fmt.Fprintf(stdout, "      observed:   %s\n", tc.Observed)
		for i, a := range tc.Allowed {
			if i == maxAllowedShown {
				fmt.Fprintf(stdout, "        and %d other result(s)\n", len(tc.Allowed)-i)
				break
			}
			head := "the model:  "
			if i > 0 {
				head = "        or  "
			}
			fmt.Fprintf(stdout, "      %s%s (%d schedule(s))\n", head, a.Text, a.Runs)
		}
		if tc.Exhausted {
			fmt.Fprintf(stdout, "      every schedule tried (%d runs): none gives what was observed\n", tc.Runs)
		} else {
			fmt.Fprintf(stdout, "      no schedule found within the bound of %d runs (-max-runs)\n", tc.Runs)
		}
		for _, n := range notes {
			fmt.Fprintf(stdout, "      %s\n", n)
		}
	}
	fmt.Fprintf(stdout, "%d runs: %d permitted, %d not permitted, %d skipped", len(runs), permitted, bad, skipped)
	if unreadable > 0 {
		fmt.Fprintf(stdout, ", %d could not be checked", unreadable)
	}
	fmt.Fprintln(stdout)
	switch {
	case unreadable > 0:
		return exitScenario
	case bad > 0:
		return exitFailed
	}
	return exitOK
}

// maxAllowedShown is how many of the model's results at a step that no
// schedule matched are printed.
const maxAllowedShown = 8

// tracedRun is one run of a trace file and the line it is on.
type tracedRun struct {
	Line   int
	Result native.Result
}

func readTrace(file string) ([]tracedRun, error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", file)
		}
		return nil, err
	}
	defer f.Close()
	var out []tracedRun
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r native.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: not a recorded run: %v", file, n, err)
		}
		if r.File == "" {
			return nil, fmt.Errorf("%s:%d: not a recorded run: no scenario file named", file, n)
		}
		out = append(out, tracedRun{Line: n, Result: r})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no recorded runs", file)
	}
	return out, nil
}

// loadTraced parses the scenario a run names: relative to dir, or, when
// no such file exists and the path is in the built-in corpus, from there.
func loadTraced(file, dir string) (*spec.Scenario, error) {
	p := filepath.FromSlash(strings.ReplaceAll(file, `\`, "/"))
	if dir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	sc, err := spec.ParseFile(p)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return sc, err
	}
	slash := filepath.ToSlash(file)
	if i := strings.Index(slash, "spec/scenarios/"); i >= 0 || strings.HasPrefix(slash, "scenarios/") {
		emb := slash
		if i >= 0 {
			emb = slash[i+len("spec/"):]
		}
		if sc, err2 := spec.ParseEmbedded(path.Clean(emb)); err2 == nil {
			return sc, nil
		}
	}
	return nil, fmt.Errorf("scenario %s: no such file", p)
}

// observedSteps turns a recorded run's steps into observations. A run
// stopped by an error loses its last step, the one that stopped it.
func observedSteps(r native.Result) ([]emulated.ObservedStep, error) {
	steps := r.Steps
	if r.Error != "" && len(steps) > 0 {
		steps = steps[:len(steps)-1]
	}
	var out []emulated.ObservedStep
	for _, s := range steps {
		o := emulated.ObservedStep{Line: s.Line, Thread: s.Thread, Call: s.Call, Verdicts: true}
		if s.Call != "settle" {
			oc, err := spec.ParseOutcome(s.Outcome)
			if err != nil {
				return nil, fmt.Errorf("step at line %d: %v", s.Line, err)
			}
			o.Outcome = oc
		}
		for _, c := range s.Completions {
			comp, err := spec.ParseCompletion(c)
			if err != nil {
				return nil, fmt.Errorf("step at line %d: %v", s.Line, err)
			}
			o.Completions = append(o.Completions, comp)
		}
		for _, f := range s.Failures {
			o.Failed = append(o.Failed, f.Line)
		}
		out = append(out, o)
	}
	return out, nil
}

// showSchedule prints the timeline of a scenario under a schedule.
func showSchedule(w io.Writer, sc *spec.Scenario, cfg spec.RunConfig, choices []emu.Choice) {
	em := &emulated.Emulator{Chooser: emu.ReplayChooser(choices)}
	rep := spec.Run(sc, em, cfg)
	fmt.Fprintln(w)
	names, ids := em.Threads()
	var tr *emu.Trace
	if sys := em.System(); sys != nil {
		tr = sys.Trace()
	}
	timeline.Lanes(w, rep, tr, names, ids, terminalWidth())
	fmt.Fprintln(w)
}

// recordTrace runs scenarios on the emulator and writes each run as a
// recorded trace.
func recordTrace(paths []string, seed uint64, kind, profile string, stdout, stderr io.Writer) int {
	scs, code := load(paths, stderr)
	if code != 0 {
		return code
	}
	enc := json.NewEncoder(stdout)
	for _, sc := range scs {
		for _, cfg := range configs(sc, kind, profile) {
			var ch emu.Chooser = emu.UsualChooser()
			if seed != 0 {
				ch = emu.SeededChooser(seed)
			}
			rep := spec.Run(sc, &emulated.Emulator{Chooser: ch}, cfg)
			if isScenarioErr(rep) {
				fmt.Fprintf(stderr, "wsaemu: %v\n", rep.Err)
				return exitScenario
			}
			if err := enc.Encode(native.FromReport(rep, cfg.Kind, cfg.Profile)); err != nil {
				fmt.Fprintf(stderr, "wsaemu: %v\n", err)
				return exitScenario
			}
		}
	}
	return exitOK
}

func oneLineText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// cutAt stops a recorded run's steps at the first one listed gives a
// reason for, noting where and why.
func cutAt(obs []emulated.ObservedStep, notes []string, where string, listed func(call string) string) ([]emulated.ObservedStep, []string) {
	for i, o := range obs {
		if why := listed(o.Call); why != "" {
			notes = append(notes, fmt.Sprintf("checked the steps before line %d, where %s (%s)", o.Line, where, why))
			return obs[:i], notes
		}
	}
	return obs, notes
}

// recordedConfig is the configuration a recorded run is checked under: a
// native run as an IFS provider in the windows profile (what it ran as),
// an emulator run under its own kind and profile.
func recordedConfig(res native.Result) spec.RunConfig {
	cfg := spec.RunConfig{Kind: "ifs", Profile: "windows"}
	if res.Kind == "nonifs" || res.Kind == "ifs" {
		cfg.Kind = res.Kind
	}
	if res.Profile == "docs" {
		cfg.Profile = "docs"
	}
	return cfg
}
