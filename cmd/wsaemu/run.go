package main

import (
	"fmt"
	"github.com/wsaemu/wsaemu/spec/timeline"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// show runs one scenario under one configuration on the emulator and
// prints its timeline (lanes), its trace (as text or JSON lines), or a
// picture of it: an HTML page, or a Chrome trace for Perfetto.
// em may carry a Chooser (replay -choices); nil means a plain emulator.
func show(w io.Writer, sc *spec.Scenario, cfg spec.RunConfig, format string, em *emulated.Emulator) *spec.Report {
	if em == nil {
		em = newEmulator()
	}
	rep := spec.Run(sc, em, cfg)
	switch format {
	case "json":
		if tr := em.System().Trace(); tr != nil {
			tr.WriteJSON(w)
		}
		return rep
	case "trace":
		if tr := em.System().Trace(); tr != nil {
			// The trace numbers records and shows handle values; say
			// first which are which of the scenario's names.
			for _, l := range timeline.TraceNames(rep, tr) {
				fmt.Fprintf(w, "# %s\n", l)
			}
			tr.WriteText(w)
		}
		return rep
	case "html", "perfetto":
		var tr *emu.Trace
		if sys := em.System(); sys != nil {
			tr = sys.Trace()
		}
		names, ids := em.Threads()
		write := timeline.HTML
		if format == "perfetto" {
			write = timeline.ChromeTrace
		}
		if err := write(w, rep, tr, names, ids); err != nil {
			fmt.Fprintf(os.Stderr, "wsaemu: writing %s: %v\n", format, err)
		}
		return rep
	}
	width := terminalWidth()
	fmt.Fprintln(w, strings.Join(wrapText("=== "+sc.Title, width), "\n    "))
	where := fmt.Sprintf("%s · provider %s · profile %s", sc.File, cfg.Kind, cfg.Profile)
	if cfg.Seeded {
		where += fmt.Sprintf(" · seed %d", cfg.Seed)
	}
	fmt.Fprintln(w, indent(strings.Join(wrapText(where, width-4), "\n"), "    "))
	if len(sc.Text) > 0 {
		fmt.Fprintf(w, "\n%s\n", indent(strings.Join(wrapText(strings.Join(sc.Text, " "), width-4), "\n"), "    "))
	}
	if len(sc.Clauses) > 0 {
		fmt.Fprintf(w, "\n%s\n", indent(strings.Join(wrapText("clauses: "+strings.Join(sc.Clauses, ", "), width-4), "\n"), "    "))
	}
	fmt.Fprintln(w)
	names, ids := em.Threads()
	var tr = em.System().Trace()
	timeline.Lanes(w, rep, tr, names, ids, width)
	if rep.Err != nil {
		fmt.Fprintf(w, "\n    stopped: %v\n", rep.Err)
	}
	if rep.Passed() {
		fmt.Fprintf(w, "\n    ✓ every expectation held\n\n")
	} else {
		fmt.Fprintf(w, "\n    ✗ %d expectation(s) failed\n\n", len(rep.Failures()))
	}
	return rep
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "FILE|DIR... | -trace FILE", stderr, "Print the timeline of each scenario: one lane per thread, every call and\nresult, and what the machine did meanwhile.\n\nWith -trace FILE, draw a recorded trace instead, in any -format but trace\nand json: a free-form trace (docs/trace-format.md) as the model's run under\nthe schedule check-trace finds to explain it, one lane per recorded thread,\neach step marked with the trace line it explains; a trace no schedule\nexplains is drawn up to the first record none explains, and the answer\nsays so (exit 1; 4 undecided within budget, 3 unreadable, as check-trace).\nA scenario-run trace (cmd/wsaemu-native's) is drawn as its scenario under\nthe schedule that reproduces each run.")
	addWidthFlag(fs)
	kind := fs.String("kind", "nonifs", "provider kind: nonifs, ifs or all")
	profile := fs.String("profile", "windows", "profile: windows, docs or all")
	seed := fs.Uint64("seed", 0, "make open decisions from this seed (0: as Windows usually does)")
	format := fs.String("format", "text", "text (lanes), trace (the full trace as text), json (trace as JSON lines),\nhtml (a self-contained page with the timeline as a picture) or perfetto\n(Chrome trace JSON for ui.perfetto.dev); html and perfetto take one run")
	traceFile := fs.String("trace", "", "draw this recorded trace (a free-form or a scenario-run trace) instead of scenarios")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if set := setFlags(fs); set["trace"] {
		for _, f := range []string{"kind", "profile", "seed"} {
			if set[f] {
				fmt.Fprintf(stderr, "wsaemu run: -%s does not apply with -trace (the trace says what it ran as)\n", f)
				return exitUsage
			}
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "wsaemu run: -trace draws one trace: unexpected argument %q\n", fs.Arg(0))
			return exitUsage
		}
		switch *format {
		case "text", "html", "perfetto":
		default:
			fmt.Fprintln(stderr, "wsaemu run: with -trace, -format must be text, html or perfetto")
			return exitUsage
		}
		return runTrace(*traceFile, *format, stdout, stderr)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "wsaemu run: name a scenario file or directory")
		return exitUsage
	}
	if !validKindProfile(*kind, *profile, stderr) {
		return exitUsage
	}
	switch *format {
	case "text", "json", "trace", "html", "perfetto":
	default:
		fmt.Fprintf(stderr, "wsaemu run: -format must be text, trace, json, html or perfetto\n")
		return exitUsage
	}
	scs, code := load(fs.Args(), stderr)
	if code != 0 {
		return code
	}
	if *format == "html" || *format == "perfetto" {
		// One page or one trace file holds one run.
		runs := 0
		for _, sc := range scs {
			runs += max(len(configs(sc, *kind, *profile)), 1)
		}
		if runs != 1 {
			fmt.Fprintf(stderr, "wsaemu run: -format %s writes one run: name one scenario, one -kind and one -profile (this would be %d runs)\n", *format, runs)
			return exitUsage
		}
	}
	worst := exitOK
	for _, sc := range scs {
		cfgs := configs(sc, *kind, *profile)
		if len(cfgs) == 0 {
			cfgs = spec.Configs(sc)[:1]
		}
		for _, cfg := range cfgs {
			cfg.Seed, cfg.Seeded = *seed, *seed != 0
			rep := show(stdout, sc, cfg, *format, nil)
			switch {
			case isScenarioErr(rep):
				fmt.Fprintf(stderr, "wsaemu: %v\n", rep.Err)
				worst = exitScenario
			case !rep.Passed():
				// The timeline shows it; the other formats are data, so the
				// failures go to stderr. Either way the exit code says so.
				if *format != "text" {
					for _, f := range rep.Failures() {
						fmt.Fprintf(stderr, "%s\n", f)
					}
				}
				if worst == exitOK {
					worst = exitFailed
				}
			}
		}
	}
	return worst
}

func cmdTour(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("tour", "", stderr, "Run the built-in introductory scenarios in order, printing each timeline\nwith what happened and why.")
	addWidthFlag(fs)
	only := fs.Int("stop", 0, "show only this stop (1-based)")
	kind := fs.String("kind", "nonifs", "provider kind: nonifs or ifs")
	profile := fs.String("profile", "windows", "profile: windows or docs")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "wsaemu tour: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if !validKindProfile(*kind, *profile, stderr) || *kind == "all" || *profile == "all" {
		if *kind == "all" || *profile == "all" {
			fmt.Fprintln(stderr, "wsaemu tour: pick one kind and one profile")
		}
		return exitUsage
	}
	files := spec.TourFiles()
	if *only < 0 || *only > len(files) {
		fmt.Fprintf(stderr, "wsaemu tour: -stop must be between 1 and %d\n", len(files))
		return exitUsage
	}
	failed := 0
	for i, f := range files {
		if *only != 0 && *only != i+1 {
			continue
		}
		sc, err := spec.ParseEmbedded(f)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %v\n", err)
			return exitScenario
		}
		fmt.Fprintf(stdout, "Stop %d of %d\n", i+1, len(files))
		// A stop written for one provider kind (Windows' own IFS
		// provider, say) or one profile is shown under it whatever
		// -kind or -profile asks.
		k, pr := *kind, *profile
		if !slices.Contains(sc.Kinds, k) && len(sc.Kinds) > 0 {
			k = sc.Kinds[0]
		}
		if !slices.Contains(sc.Profiles, pr) && len(sc.Profiles) > 0 {
			pr = sc.Profiles[0]
		}
		rep := show(stdout, sc, spec.RunConfig{Kind: k, Profile: pr}, "text", nil)
		if !rep.Passed() {
			failed++
			for _, m := range rep.Failures() {
				fmt.Fprintf(stderr, "tour: %s\n", m)
			}
		}
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}
