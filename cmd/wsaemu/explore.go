package main

import (
	"fmt"
	"io"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

func cmdExplore(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explore", "FILE|DIR", stderr, "Run scenarios under many schedules: every open decision (complete now or\npend, which routine runs first, which thread goes next, does a cancel win)\nis drawn from a seed. Reports every seed that breaks an expectation, makes\nan unexpected sanitizer finding, or fails the liveness check, with the\ncommand that replays it. A sample of seeds is run twice to check that the\nsame seed gives the same trace.")
	seeds := fs.Int("seeds", 100, "how many seeds to try per scenario, configuration and mode")
	start := fs.Uint64("start", 1, "first seed")
	mode := fs.String("mode", "all", "seeded (uniform draws), swarm (per-seed biases), hostile (the least expected outcome, one run), or all")
	kind := fs.String("kind", "all", "provider kind: nonifs, ifs, layered or all")
	profile := fs.String("profile", "all", "profile: windows, docs or all")
	resets := fs.Bool("resets", false, "let the schedule also reset TCP connections at any point (the network's resets), to find code that does not handle them")
	splits := fs.Bool("splits", false, "let the schedule also hand TCP receives fewer bytes than are waiting, to find code that assumes a receive gets a whole send")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "wsaemu explore: name a scenario file or directory")
		return exitUsage
	}
	modes := map[string][]string{"all": {"hostile", "seeded", "swarm"}, "seeded": {"seeded"}, "swarm": {"swarm"}, "hostile": {"hostile"}}[*mode]
	if modes == nil {
		fmt.Fprintln(stderr, "wsaemu explore: -mode must be seeded, swarm, hostile or all")
		return exitUsage
	}
	if *seeds < 1 || !validKindProfile(*kind, *profile, stderr) {
		if *seeds < 1 {
			fmt.Fprintln(stderr, "wsaemu explore: -seeds must be at least 1")
		}
		return exitUsage
	}
	scs, code := load(fs.Args(), stderr)
	if code != 0 {
		return code
	}
	bad, runs, diverged := 0, 0, 0
	prog := newProgress(stderr)
	defer prog.clear()
	for _, sc := range scs {
		for _, cfg := range configs(sc, *kind, *profile) {
			for _, m := range modes {
				n := *seeds
				if m == "hostile" {
					n = 1
				}
				for i := 0; i < n; i++ {
					c := cfg
					c.Resets = *resets
					c.Splits = *splits
					switch m {
					case "hostile":
						c.Hostile = true
					case "swarm":
						c.Swarm, c.Seed, c.Seeded = true, *start+uint64(i), true
					default:
						c.Seed, c.Seeded = *start+uint64(i), true
					}
					em := newEmulator()
					rep := spec.Run(sc, em, c)
					runs++
					if runs%100 == 0 {
						prog.show(fmt.Sprintf("explored %d runs…", runs))
					}
					if isScenarioErr(rep) {
						prog.clear()
						fmt.Fprintf(stderr, "wsaemu: %v\n", rep.Err)
						return exitScenario
					}
					// Determinism: every tenth schedule is run again and must
					// give the same trace, byte for byte.
					if i%10 == 0 {
						again := newEmulator()
						spec.Run(sc, again, c)
						if em.System().Trace().String() != again.System().Trace().String() {
							diverged++
							prog.clear()
							fmt.Fprintf(stdout, "DIVERGED  %s [%s/%s] %s: the same schedule gave two different traces\n", sc.File, c.Kind, c.Profile, describe(m, c))
						}
					}
					problems := rep.Failures()
					for _, l := range rep.Liveness {
						problems = append(problems, "liveness: "+l)
					}
					if len(problems) == 0 {
						continue
					}
					bad++
					prog.clear()
					fmt.Fprintf(stdout, "FAIL  %s [%s/%s] %s\n", sc.File, c.Kind, c.Profile, describe(m, c))
					for _, f := range problems {
						fmt.Fprintf(stdout, "      %s\n", f)
					}
					fmt.Fprintf(stdout, "      replay: wsaemu replay %s-kind %s -profile %s %s\n", replayFlags(m, c), c.Kind, c.Profile, sc.File)
					break
				}
			}
		}
	}
	prog.clear()
	fmt.Fprintf(stdout, "%d runs, %d failing schedule(s), %d divergence(s)\n", runs, bad, diverged)
	if bad > 0 || diverged > 0 {
		return exitFailed
	}
	return exitOK
}

func describe(mode string, c spec.RunConfig) string {
	if mode == "hostile" {
		return "hostile schedule"
	}
	return fmt.Sprintf("%s seed %d", mode, c.Seed)
}

func replayFlags(mode string, c spec.RunConfig) string {
	r := ""
	if c.Resets {
		r = "-resets "
	}
	if c.Splits {
		r += "-splits "
	}
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
	if !onlyWith("replay", set, stderr, "swarm", "seed") {
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
